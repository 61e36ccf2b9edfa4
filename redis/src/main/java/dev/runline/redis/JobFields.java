package dev.runline.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.Status;
import dev.runline.spi.JobId;
import dev.runline.spi.JobRecord;
import dev.runline.spi.JobState;
import dev.runline.spi.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job as the fields of its Redis hash. What was submitted: {@code ep} endpoint, {@code own}
 * owner (a digest of the key), {@code in} input (JSON), {@code ttl} and {@code xt} (ms),
 * {@code lp} and {@code sy} (0/1), {@code wh} webhook, {@code s3} (JSON). Its state:
 * {@code st} status, {@code at} attempt, {@code q} queued at (epoch ns), {@code sm} and
 * {@code em} (ms after queued), {@code out} (JSON), {@code err}, {@code w} worker, {@code v}
 * version, {@code ke} kept until (epoch ns, once terminal). Besides: {@code nd} the node that
 * took it, {@code rd} redeliveries, {@code sh} shortened until (epoch ns), {@code ck} chunks
 * returned by {@code /stream}, {@code fo} whether its output was returned as a chunk.
 */
final class JobFields {
  private static final ObjectMapper JSON = Json.mapper();

  private JobFields() {}

  /** Every field of a job just admitted. */
  static List<String> admitted(JobRecord job) {
    List<String> fields = new ArrayList<>(40);
    add(fields, "ep", job.endpoint());
    add(fields, "own", job.owner());
    add(fields, "in", json(job.input()));
    add(fields, "ttl", Integer.toString(job.ttlMillis()));
    add(fields, "xt", Integer.toString(job.executionTimeoutMillis()));
    add(fields, "lp", job.lowPriority() ? "1" : "0");
    add(fields, "sy", job.sync() ? "1" : "0");
    if (job.webhook() != null) {
      add(fields, "wh", job.webhook().toString());
    }
    if (job.s3Config() != null) {
      add(fields, "s3", json(job.s3Config()));
    }
    fields.addAll(state(job.state(), 0));
    return pairsWithoutEmpty(fields);
  }

  /** The state's fields, {@code ''} for those to delete; {@code keptUntil} (epoch ns) when terminal, else 0. */
  static List<String> state(JobState s, long keptUntil) {
    List<String> fields = new ArrayList<>(20);
    add(fields, "st", s.status().name());
    add(fields, "at", Integer.toString(s.attempt()));
    add(fields, "q", Long.toString(s.queuedAt()));
    add(fields, "sm", Integer.toString(s.startedMillis()));
    add(fields, "em", Integer.toString(s.endedMillis()));
    add(fields, "out", s.output() == null ? "" : json(s.output()));
    add(fields, "err", s.error() == null ? "" : s.error());
    add(fields, "w", s.workerId() == null ? "" : s.workerId());
    add(fields, "rd", s.redeliveries() == 0 ? "" : Integer.toString(s.redeliveries()));
    add(fields, "v", Integer.toString(s.version()));
    add(fields, "ke", keptUntil == 0 ? "" : Long.toString(keptUntil));
    return fields;
  }

  private static List<String> pairsWithoutEmpty(List<String> fields) {
    List<String> kept = new ArrayList<>(fields.size());
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (!fields.get(i + 1).isEmpty()) {
        kept.add(fields.get(i));
        kept.add(fields.get(i + 1));
      }
    }
    return kept;
  }

  private static void add(List<String> fields, String name, String value) {
    fields.add(name);
    fields.add(value);
  }

  /** The fields of a flat HGETALL answer as a map. */
  static Map<String, String> map(Object flat) {
    Map<String, String> map = new HashMap<>();
    if (flat instanceof List<?> list) {
      for (int i = 0; i + 1 < list.size(); i += 2) {
        map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
      }
    }
    return map;
  }

  /** The job of {@code id} from its fields. */
  static JobRecord record(String id, Map<String, String> f) {
    JobId jobId = JobId.parse(id);
    if (jobId == null) {
      throw new IllegalStateException("a job in Redis has an id that is not one: '" + id + "'");
    }
    String webhook = f.get("wh");
    return new JobRecord(jobId, f.get("ep"), f.get("own"), parse(f.get("in")), intOf(f, "ttl"), intOf(f, "xt"),
        "1".equals(f.get("lp")), "1".equals(f.get("sy")), webhook == null ? null : URI.create(webhook),
        parse(f.get("s3")), stateOf(f));
  }

  static JobState stateOf(Map<String, String> f) {
    return JobState.of(Status.valueOf(f.get("st")), intOf(f, "at"), Long.parseLong(f.get("q")), intOf(f, "sm"),
        intOf(f, "em"), parse(f.get("out")), f.get("err"), f.get("w"), intOf(f, "rd"), intOf(f, "v"));
  }

  static int intOf(Map<String, String> f, String name) {
    String value = f.get(name);
    return value == null ? 0 : Integer.parseInt(value);
  }

  static long longOf(Map<String, String> f, String name) {
    String value = f.get(name);
    return value == null ? 0 : Long.parseLong(value);
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a value of the job cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  static Object parse(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a value of a job in Redis is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
