package io.knative.lambda.builder.jib;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.hash.Digests;
import com.google.cloud.tools.jib.image.ReproducibleLayerBuilder;
import com.google.common.collect.ImmutableList;

import io.knative.lambda.builder.core.ImageLayer;

/**
 * A layer to push: the function's files built in memory exactly as Jib builds an application layer (Jib's
 * reproducible tar: sorted entries, fixed times and owners, parent folders added; gzipped as Jib's cache gzips it, so
 * the digest is the one Jib's own build gave for the same files), or a prebuilt blob of the dependency cache, read
 * from its file when pushed.
 *
 * @param name       {@code code} or {@code dependencies}: how the build reports it
 * @param descriptor its digest and size
 * @param diffId     digest of the uncompressed tar
 * @param blob       the bytes as pushed
 */
record LayerBlob(String name, BlobDescriptor descriptor, DescriptorDigest diffId, Blob blob) {

    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");

    /** Lays out {@code files} under {@code work} (Jib's layer builder reads files) and builds the layer. */
    static LayerBlob of(ImageLayer.Files files, Path work) throws IOException {
        List<FileEntry> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : new TreeMap<>(files.files()).entrySet()) {
            Path local = work.resolve(file.getKey().substring(1)).normalize();
            if (!local.startsWith(work)) {
                throw new IOException("layer path escapes the layer: " + file.getKey());
            }
            Files.createDirectories(local.getParent());
            Files.write(local, file.getValue());
            entries.add(new FileEntry(local, AbsoluteUnixPath.get(file.getKey()), FILE, JibImagePublisher.FILE_TIME));
        }
        Blob tar = new ReproducibleLayerBuilder(ImmutableList.copyOf(entries)).build();
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        DescriptorDigest diffId;
        try (OutputStream gzip = new GZIPOutputStream(gzipped)) {
            diffId = Digests.computeDigest(tar::writeTo, gzip).getDigest();
        }
        byte[] bytes = gzipped.toByteArray();
        return new LayerBlob(files.name(), Digests.computeDigest(new ByteArrayInputStream(bytes)), diffId,
                Blobs.from(out -> out.write(bytes), true));
    }

    /** A prebuilt blob as it is: its digests and size as the dependency cache recorded them, its bytes from its file. */
    static LayerBlob of(ImageLayer.Blob prebuilt) throws IOException {
        try {
            return new LayerBlob(prebuilt.name(), new BlobDescriptor(prebuilt.size(),
                    DescriptorDigest.fromDigest(prebuilt.digest())), DescriptorDigest.fromDigest(prebuilt.diffId()),
                    Blobs.from(prebuilt.path()));
        } catch (DigestException e) {
            throw new IOException("layer " + prebuilt.name() + " at " + prebuilt.path() + " has no valid digest: "
                    + e.getMessage(), e);
        }
    }
}
