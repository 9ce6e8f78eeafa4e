package io.knative.lambda.runtime.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests of the ECJ-based function compiler: naming, packages, determinism, errors. */
class JavaFunctionCompilerTest {

    private static final String INVOICE = """
            package com.acme;

            import java.util.Map;

            /** A class named in a comment: public class NotThis {} */
            public class Invoice {
                static final String TEXT = "public class AlsoNotThis {";

                public Map<String, Object> handler(Map<String, Object> event) {
                    return Map.of("total", Helper.twice(((Number) event.get("amount")).intValue()));
                }

                static class Inner {
                }
            }

            class Helper {
                static int twice(int n) {
                    return 2 * n;
                }
            }
            """;

    private final JavaFunctionCompiler compiler = new JavaFunctionCompiler();

    @Test
    void compilesALowercaseFileNameUnderItsPublicClassAndPackage() throws Exception {
        CompiledFunction compiled = compiler.compile("invoice.java", bytes(INVOICE));

        assertThat(compiled.className()).isEqualTo("com.acme.Invoice");
        assertThat(compiled.classFiles()).containsOnlyKeys(
                "com/acme/Helper.class", "com/acme/Invoice$Inner.class", "com/acme/Invoice.class");
        assertThat(compiled.classFiles().get("com/acme/Invoice.class"))
                .startsWith(0xCA, 0xFE, 0xBA, 0xBE);
        // class file major version 61 = Java 17
        assertThat(compiled.classFiles().get("com/acme/Invoice.class")[7]).isEqualTo((byte) 61);
    }

    @Test
    void theCompiledClassRuns(@TempDir Path dir) throws Exception {
        CompiledFunction compiled = compiler.compile("invoice.java", bytes(INVOICE));
        compiled.writeTo(dir);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> type = loader.loadClass(compiled.className());
            Method handler = type.getMethod("handler", Map.class);
            Object result = handler.invoke(type.getConstructor().newInstance(), Map.of("amount", 21));
            assertThat(result).isEqualTo(Map.of("total", 42));
        }
    }

    @Test
    void sameSourceGivesTheSameBytes() throws Exception {
        CompiledFunction first = compiler.compile("invoice.java", bytes(INVOICE));
        CompiledFunction second = compiler.compile("Invoice.java", bytes(INVOICE));

        assertThat(second.classFiles().keySet()).isEqualTo(first.classFiles().keySet());
        for (String path : first.classFiles().keySet()) {
            assertThat(second.classFiles().get(path)).as(path).isEqualTo(first.classFiles().get(path));
        }
    }

    @Test
    void aClassInTheDefaultPackageUploadedWithoutExtension() throws Exception {
        CompiledFunction compiled = compiler.compile("my-fn-1",
                bytes("public final class Parser { public static Object handler(java.util.Map<String, Object> e) { return e; } }"));

        assertThat(compiled.className()).isEqualTo("Parser");
        assertThat(compiled.classFiles()).containsOnlyKeys("Parser.class");
    }

    @Test
    void aCompileErrorCarriesTheCompilersMessageWithItsLine() {
        String broken = """
                public class Broken {
                    public Object handler(java.util.Map<String, Object> event) {
                        return undefinedVariable;
                    }
                }
                """;

        assertThatThrownBy(() -> compiler.compile("broken.java", bytes(broken)))
                .isInstanceOfSatisfying(FunctionCompileException.class, e -> {
                    assertThat(e.errors()).containsExactly("broken.java:3: undefinedVariable cannot be resolved to a variable");
                    assertThat(e.getMessage()).contains("broken.java does not compile").contains("broken.java:3:")
                            .doesNotContain("klambda-javac-");
                });
    }

    @Test
    void everyErrorIsReported() {
        String broken = """
                public class Twice {
                    public Object handler(java.util.Map<String, Object> event) {
                        int x = "text";
                        return missing();
                    }
                }
                """;

        assertThatThrownBy(() -> compiler.compile("Twice.java", bytes(broken)))
                .isInstanceOfSatisfying(FunctionCompileException.class, e -> assertThat(e.errors())
                        .hasSize(2)
                        .anySatisfy(line -> assertThat(line).startsWith("Twice.java:3: Type mismatch"))
                        .anySatisfy(line -> assertThat(line).startsWith("Twice.java:4: The method missing()")));
    }

    @Test
    void aSourceWithoutPublicClassIsRefused() {
        assertThatThrownBy(() -> compiler.compile("x.java", bytes("class Hidden { }")))
                .isInstanceOfSatisfying(FunctionCompileException.class,
                        e -> assertThat(e.errors()).singleElement().asString().contains("no public top-level class"));
    }

    @Test
    void aSourceThatIsNotUtf8IsRefused() {
        assertThatThrownBy(() -> compiler.compile("x.java", new byte[] {(byte) 0xC3, (byte) 0x28}))
                .isInstanceOf(FunctionCompileException.class)
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void theCommandLineWritesClassesAndPrintsTheClassName(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("invoice.java");
        Files.writeString(source, INVOICE);
        Path classes = dir.resolve("classes");
        var out = new java.io.ByteArrayOutputStream();
        var previous = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JavaFunctionCompiler.main(new String[] {source.toString(), classes.toString()});
        } finally {
            System.setOut(previous);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("com.acme.Invoice");
        assertThat(classes.resolve("com/acme/Invoice.class")).isRegularFile();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
