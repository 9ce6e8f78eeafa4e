package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.image.Image;
import com.google.cloud.tools.jib.image.LayerCountMismatchException;
import com.google.cloud.tools.jib.image.LayerPropertyNotFoundException;
import com.google.cloud.tools.jib.image.json.BadContainerConfigurationFormatException;
import com.google.cloud.tools.jib.image.json.BuildableManifestTemplate;
import com.google.cloud.tools.jib.image.json.ContainerConfigurationTemplate;
import com.google.cloud.tools.jib.image.json.JsonToImageTranslator;
import com.google.cloud.tools.jib.image.json.ManifestListTemplate;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.image.json.V21ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;
import com.google.cloud.tools.jib.registry.ManifestAndDigest;
import com.google.cloud.tools.jib.registry.RegistryClient;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;

/** Reads base images from their registry with Jib Core's registry client, within one build's session. */
final class RegistryBaseImages implements BaseImageCache.Source {

    private final RegistrySession session;

    RegistryBaseImages(RegistrySession session) {
        this.session = session;
    }

    @Override
    public Optional<String> currentDigest(ImageReference reference) throws IOException, RegistryException {
        return client(reference).checkManifest(reference.getQualifier()).map(m -> m.getDigest().toString());
    }

    @Override
    public BaseImage read(ImageReference reference) throws IOException, RegistryException, BuildException {
        RegistryClient client = client(reference);
        ManifestAndDigest<ManifestTemplate> pulled = client.pullManifest(reference.getQualifier());
        ManifestTemplate manifest = pulled.getManifest();
        if (manifest instanceof ManifestListTemplate list) {
            List<String> digests = list.getDigestsForPlatform(BaseImage.PLATFORM.getArchitecture(), BaseImage.PLATFORM.getOs());
            if (digests.isEmpty()) {
                throw new BaseImageNotFoundException(reference.toString(), new IOException("its manifest list has no "
                        + BaseImage.PLATFORM.getOs() + "/" + BaseImage.PLATFORM.getArchitecture() + " image"));
            }
            manifest = client.pullManifest(digests.get(0)).getManifest();
        }
        return new BaseImage(reference.toString(), reference.getRegistry(), reference.getRepository(),
                pulled.getDigest().toString(), image(client, reference, manifest));
    }

    private static Image image(RegistryClient client, ImageReference reference, ManifestTemplate manifest)
            throws IOException, BuildException {
        try {
            if (manifest instanceof V21ManifestTemplate v21) {
                return JsonToImageTranslator.toImage(v21);
            }
            if (!(manifest instanceof BuildableManifestTemplate buildable)) {
                throw new BaseImageNotFoundException(reference.toString(),
                        new IOException("unknown manifest format " + manifest.getManifestMediaType()));
            }
            DescriptorDigest config = buildable.getContainerConfiguration().getDigest();
            byte[] json = Blobs.writeToByteArray(client.pullBlob(config, size -> { }, bytes -> { }));
            return JsonToImageTranslator.toImage(buildable,
                    JsonTemplateMapper.readJson(json, ContainerConfigurationTemplate.class));
        } catch (LayerPropertyNotFoundException | LayerCountMismatchException | BadContainerConfigurationFormatException e) {
            throw new IOException("base image " + reference + " is malformed: " + e.getMessage(), e);
        }
    }

    private RegistryClient client(ImageReference reference) throws IOException, RegistryException {
        return session.pullClient(reference.getRegistry(), reference.getRepository());
    }
}
