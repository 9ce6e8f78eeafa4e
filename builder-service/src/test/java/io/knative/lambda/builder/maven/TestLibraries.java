package io.knative.lambda.builder.maven;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.knative.lambda.runtime.compiler.JavaFunctionCompiler;
import io.knative.lambda.testsupport.MavenRepositoryServer;

/** Test libraries compiled here and deployed to a test repository: what Java functions' //DEPS name in the tests. */
public final class TestLibraries {

    /** {@code Shout.shout(s)}: upper case and '!', through its dependency. */
    public static final String SHOUT = "com.acme:text-shout:1.0";

    private TestLibraries() {
    }

    /** com.acme:text-shout:1.0 (com.acme.text.Shout.shout) depending on com.acme:text-core:1.0 (Core.upper). */
    public static void deploy(MavenRepositoryServer repo) throws Exception {
        JavaFunctionCompiler compiler = new JavaFunctionCompiler();
        TreeMap<String, byte[]> core = new TreeMap<>(Map.of("com/acme/text/Core.java",
                "package com.acme.text; public class Core { public static String upper(String s) { return s.toUpperCase(); } }"
                        .getBytes(StandardCharsets.UTF_8)));
        repo.deploy("com.acme", "text-core", "1.0", compiler.compileAll(core, List.of()), List.of());
        TreeMap<String, byte[]> shout = new TreeMap<>(core);
        shout.put("com/acme/text/Shout.java", ("package com.acme.text; public class Shout {"
                + " public static String shout(String s) { return Core.upper(s) + \"!\"; } }").getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> shoutClasses = new TreeMap<>(compiler.compileAll(shout, List.of()));
        shoutClasses.remove("com/acme/text/Core.class");
        repo.deploy("com.acme", "text-shout", "1.0", shoutClasses, List.of("com.acme:text-core:1.0"));
    }
}
