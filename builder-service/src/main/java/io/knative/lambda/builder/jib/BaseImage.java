package io.knative.lambda.builder.jib;

import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.image.Image;
import com.google.cloud.tools.jib.image.json.V22ManifestTemplate;

/**
 * A base image as read from its registry: its manifest's layers and its configuration, as Jib models them.
 *
 * @param reference  the reference it was read by ({@code scratch} for none)
 * @param registry   its registry, {@code host[:port]} (empty for scratch)
 * @param repository its repository in that registry (empty for scratch)
 * @param digest     the digest the reference pointed at when read (a manifest list's own digest for a list);
 *                   {@code null} for scratch
 * @param image      its layers, history and configuration
 */
record BaseImage(String reference, String registry, String repository, String digest, Image image) {

    /** The platform every function image is built for, as Jib's default. */
    static final Platform PLATFORM = new Platform("amd64", "linux");

    /** No base: an empty image for {@link #PLATFORM}, as Jib's {@code Jib.fromScratch()}. */
    static BaseImage scratch() {
        return new BaseImage(JibFailures.SCRATCH, "", "", null, Image.builder(V22ManifestTemplate.class)
                .setArchitecture(PLATFORM.getArchitecture()).setOs(PLATFORM.getOs()).build());
    }

    boolean isScratch() {
        return digest == null;
    }
}
