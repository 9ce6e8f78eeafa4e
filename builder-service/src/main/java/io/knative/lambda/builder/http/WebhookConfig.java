package io.knative.lambda.builder.http;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The S3 webhook's credentials ({@code klambda.webhook.*}; environment {@code KLAMBDA_WEBHOOK_TOKEN}, ...). */
@ConfigMapping(prefix = "klambda.webhook")
public interface WebhookConfig {

    /**
     * The shared token S3 servers must send as {@code Authorization: Bearer <token>} (MinIO's {@code auth_token});
     * unset: anyone who reaches the webhook may start builds. Never logged.
     */
    Optional<String> token();

    /**
     * The OIDC token the webhook sends to {@code K_SINK} (the broker), re-read at every send: where Knative's
     * SinkBinding mounts it when sender identity is on. Absent file: no token is sent.
     */
    @WithName("sink-token-file")
    @WithDefault("/oidc/token")
    Path sinkTokenFile();
}
