package dev.runline;

import java.net.URI;

/**
 * The body of {@code /run} and {@code /runsync}.
 *
 * @param input the job's input, any JSON-like value (required)
 * @param webhook where the job's status body is POSTed once it is terminal, or {@code null}
 * @param policy the job's policy ({@link Policy#UNSET} takes the endpoint's defaults)
 * @param s3Config passed to the handler as is, never echoed in a response, or {@code null}
 */
public record JobRequest(Object input, URI webhook, Policy policy, Object s3Config) {

  public JobRequest {
    if (policy == null) {
      policy = Policy.UNSET;
    }
  }

  /** A request with only an input. */
  public static JobRequest of(Object input) {
    return new JobRequest(input, null, Policy.UNSET, null);
  }

  public JobRequest withWebhook(URI webhook) {
    return new JobRequest(input, webhook, policy, s3Config);
  }

  public JobRequest withPolicy(Policy policy) {
    return new JobRequest(input, webhook, policy, s3Config);
  }

  public JobRequest withS3Config(Object s3Config) {
    return new JobRequest(input, webhook, policy, s3Config);
  }

  /**
   * Checks what the service checks before accepting a job.
   *
   * @throws InvalidRequestException naming the field
   */
  public void validate() {
    if (input == null) {
      throw new InvalidRequestException(
          "input is required: send a body like {\"input\": {\"prompt\": \"...\"}}");
    }
    if (webhook != null) {
      String scheme = webhook.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || webhook.getHost() == null) {
        throw new InvalidRequestException(
            "webhook must be an absolute http:// or https:// URL, was '" + webhook + "'");
      }
    }
    policy.validate();
  }
}
