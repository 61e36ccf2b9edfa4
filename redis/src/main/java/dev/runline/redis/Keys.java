package dev.runline.redis;

/**
 * The names of everything the nodes keep in Redis, under one namespace:
 *
 * <pre>
 * {ns}:job:{id}          hash   a job: what was submitted, its state, its claiming node
 * {ns}:chunks:{id}       list   the stream of its current attempt
 * {ns}:q:{endpoint}      list   ids queued at normal priority, oldest first
 * {ns}:ql:{endpoint}     list   ids queued at low priority
 * {ns}:counts:{endpoint} hash   inQueue, inProgress, completed, failed, retried
 * {ns}:ttl:{endpoint}    zset   live jobs by ttl deadline (epoch ms)
 * {ns}:claims:{node}     set    ids a node took and has not ended
 * {ns}:nodes             zset   nodes by last heartbeat (epoch ms)
 * {ns}:workers:{endpoint}:{node} string  a node's workers of an endpoint, with the lease as expiry
 * {ns}:news              channel  "job {id} {version}", "chunk {id}", "ready {endpoint}"
 * </pre>
 */
final class Keys {
  final String jobPrefix;
  final String chunksPrefix;
  final String queuePrefix;
  final String lowQueuePrefix;
  final String countsPrefix;
  final String ttlPrefix;
  final String claimsPrefix;
  final String nodes;
  final String workersPrefix;
  final String news;

  Keys(String namespace) {
    jobPrefix = namespace + ":job:";
    chunksPrefix = namespace + ":chunks:";
    queuePrefix = namespace + ":q:";
    lowQueuePrefix = namespace + ":ql:";
    countsPrefix = namespace + ":counts:";
    ttlPrefix = namespace + ":ttl:";
    claimsPrefix = namespace + ":claims:";
    nodes = namespace + ":nodes";
    workersPrefix = namespace + ":workers:";
    news = namespace + ":news";
  }

  String job(String id) {
    return jobPrefix + id;
  }

  String chunks(String id) {
    return chunksPrefix + id;
  }

  String queue(String endpoint) {
    return queuePrefix + endpoint;
  }

  String lowQueue(String endpoint) {
    return lowQueuePrefix + endpoint;
  }

  String counts(String endpoint) {
    return countsPrefix + endpoint;
  }

  String ttl(String endpoint) {
    return ttlPrefix + endpoint;
  }

  String claims(String node) {
    return claimsPrefix + node;
  }

  String workers(String endpoint) {
    return workersPrefix + endpoint + ":";
  }
}
