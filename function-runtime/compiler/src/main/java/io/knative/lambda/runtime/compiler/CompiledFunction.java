package io.knative.lambda.runtime.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of compiling one function source: its public class and its class files.
 *
 * @param className  the fully-qualified name of the public top-level class, for {@code FUNCTION_CLASS}
 * @param classFiles class files by relative path ({@code com/acme/Invoice.class}), sorted; same source, same bytes
 */
public record CompiledFunction(String className, SortedMap<String, byte[]> classFiles) {

    public CompiledFunction {
        classFiles = Collections.unmodifiableSortedMap(new TreeMap<>(classFiles));
    }

    /** Writes every class file under {@code classesDir} (e.g. {@code /function/classes}), creating folders. */
    public void writeTo(Path classesDir) throws IOException {
        for (var entry : classFiles.entrySet()) {
            Path target = classesDir.resolve(entry.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, entry.getValue());
        }
    }
}
