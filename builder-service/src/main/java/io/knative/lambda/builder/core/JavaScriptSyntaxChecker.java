package io.knative.lambda.builder.core;

import java.util.List;

/** Checks a Node.js function's JavaScript for syntax errors without running any of it (parsing only). */
public interface JavaScriptSyntaxChecker {

    /**
     * Checks each of {@code sources} (paths in {@code files}) as Node.js would load it: {@code .mjs}, or {@code .js}
     * under a {@code package.json} with {@code "type": "module"}, as an ES module.
     *
     * @throws BuildException {@code CompileError} naming the file and line; {@code UnsupportedRuntime} when this builder
     *                        cannot run the checker
     */
    void check(FunctionFiles files, List<String> sources) throws BuildException;
}
