package io.knative.lambda.cli.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.knative.lambda.cli.CliException;
import io.knative.lambda.cli.source.SourceArchive;

/**
 * What {@code klambda deploy} puts in the bucket: a source file as it is ({@code {scope}/{kind}/{id}.py}), or a folder
 * packed into a zip ({@code {scope}/{kind}/{id}.zip}); the id defaults to the file's or folder's name.
 *
 * @param functionId the function id
 * @param key        the object's key
 * @param body       the object's bytes
 * @param what       what was uploaded, for a person ({@code examples/invoice (5 files packed)})
 */
record Upload(String functionId, String key, byte[] body, String what) {

    private static final List<String> SOURCES = List.of(".py", ".java", ".js");

    /** The upload of {@code path}; a {@link CliException} (bad input) when it cannot be read. */
    static Upload of(Path path, String id, String scope, String kind) {
        if (Files.isDirectory(path)) {
            SourceArchive archive = SourceArchive.pack(path);
            String functionId = id != null ? id : idOf(path.toAbsolutePath().normalize().getFileName().toString());
            return new Upload(functionId, scope + "/" + kind + "/" + functionId + ".zip", archive.bytes(), path + " ("
                    + archive.files().size() + " file" + (archive.files().size() == 1 ? "" : "s") + " packed)");
        }
        if (!Files.isRegularFile(path)) {
            throw CliException.badInput("no such file or folder: " + path);
        }
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot);
        String functionId = id != null ? id : idOf(dot < 0 ? name : name.substring(0, dot));
        try {
            return new Upload(functionId, scope + "/" + kind + "/" + functionId + (SOURCES.contains(ext) ? ext : ""),
                    Files.readAllBytes(path), path.toString());
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static String idOf(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }
}
