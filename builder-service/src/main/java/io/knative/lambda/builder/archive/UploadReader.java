package io.knative.lambda.builder.archive;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.FunctionFiles;
import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.FunctionSource;
import io.knative.lambda.builder.core.FunctionSourceReader;
import io.knative.lambda.builder.core.SourceObject;
import io.knative.lambda.builder.manifest.ManifestReader;
import io.knative.lambda.events.FunctionKey;

/**
 * The core's {@link FunctionSourceReader}: a key ending in {@code .zip}, {@code .tar.gz} or {@code .tgz} is an archive,
 * unpacked in memory by {@link ArchiveReader}, with its root's {@code function.yaml} parsed by {@link ManifestReader};
 * any other key is a single source file, as uploaded.
 */
public final class UploadReader implements FunctionSourceReader {

    private final ArchiveReader archives;
    private final ManifestReader manifests = new ManifestReader();

    public UploadReader(ArchiveLimits limits) {
        this.archives = new ArchiveReader(limits);
    }

    @Override
    public FunctionSource read(FunctionKey key, SourceObject source) throws BuildException {
        Optional<ArchiveFormat> format = ArchiveFormat.byExtension(key.extension());
        if (format.isEmpty()) {
            Map<String, byte[]> single = new TreeMap<>();
            single.put(key.fileName(), source.bytes());
            return new FunctionSource(new FunctionFiles(new TreeMap<>(single)), false, FunctionManifest.none());
        }
        FunctionFiles files = archives.read(key.fileName(), format.get(), source.bytes());
        byte[] manifest = files.files().get(FunctionManifest.FILE_NAME);
        return new FunctionSource(files, true, manifest == null ? FunctionManifest.none() : manifests.read(manifest));
    }
}
