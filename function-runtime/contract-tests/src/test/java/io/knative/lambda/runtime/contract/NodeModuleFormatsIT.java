package io.knative.lambda.runtime.contract;

import static io.knative.lambda.runtime.contract.ContractIT.assertPlainError;
import static io.knative.lambda.runtime.contract.ContractIT.parse;
import static io.knative.lambda.runtime.contract.ContractIT.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.restassured.response.Response;

/**
 * Node.js only: a function in any module format a JavaScript developer writes loads and answers the same contract —
 * CommonJS ({@code exports.handler}, {@code module.exports = function}), ES modules (named, {@code export default}
 * function or object), sync or async, found with or without FUNCTION_FILE, with helpers and packages beside it.
 */
class NodeModuleFormatsIT {

    @TempDir
    Path dir;

    private void file(String name, String text) throws IOException {
        Path path = dir.resolve(name);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    /** Serves the function folder {@code dir} (the PARSER layout goes unused: FUNCTION_DIR points here). */
    private FunctionProcess serve(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("FUNCTION_DIR", dir.toString());
        return FunctionProcess.start(RuntimeKind.NODE, RuntimeKind.Function.PARSER, "format-fn", all);
    }

    private static Response post(FunctionProcess p, String json) {
        return to(p).contentType("application/json").body(json).post("/");
    }

    private static Map<String, Object> ok(Response r) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return parse(r);
    }

    /** The log of the runtime started on {@code dir}, which must exit non-zero without serving. */
    private String logOfAFailedStart() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FUNCTION_DIR", dir.toString());
        try (FunctionProcess p = FunctionProcess.launch(RuntimeKind.NODE, RuntimeKind.Function.PARSER, "failing-fn", env)) {
            assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.logText()).isNotZero();
            return p.logText();
        }
    }

    /** The answer to one plain JSON event of a function that is one file. */
    private Map<String, Object> answer(String name, String source, Map<String, String> env, String event) throws IOException {
        file(name, source);
        try (FunctionProcess p = serve(env)) {
            return ok(post(p, event));
        }
    }

    @Test
    void aCommonJsExportsHandlerLoadsAndGetsTheAttributes() throws IOException {
        file("fn.js", """
                exports.handler = function (event, attributes) {
                  return { format: typeof module === 'object' ? 'commonjs' : 'module', n: event.n, tenant: attributes.tenant ?? null };
                };
                """);
        try (FunctionProcess p = serve(Map.of())) {
            assertThat(ok(post(p, "{\"n\":1}"))).containsEntry("format", "commonjs").containsEntry("n", 1).containsEntry("tenant", null);
            Response binary = ContractIT.binary(p, "cjs-1").header("ce-tenant", "customer-123").body("{\"n\":2}").post("/");
            assertThat(ok(binary)).containsEntry("tenant", "customer-123").containsEntry("n", 2);
        }
    }

    @Test
    void aModuleExportsFunctionIsTheHandler() throws IOException {
        assertThat(answer("fn.cjs", "module.exports = (event) => ({ kind: 'module.exports function', n: event.n });\n",
                Map.of(), "{\"n\":3}")).isEqualTo(Map.of("kind", "module.exports function", "n", 3));
    }

    @Test
    void anEsModuleDefaultFunctionIsTheHandlerAndIsNotCalledOnTheRuntime() throws IOException {
        assertThat(answer("fn.mjs", """
                export default function (event) {
                  return { kind: 'export default function', n: event.n, thisIsUndefined: this === undefined };
                }
                """, Map.of(), "{\"n\":4}")).isEqualTo(Map.of("kind", "export default function", "n", 4, "thisIsUndefined", true));
    }

    @Test
    void anEsModuleDefaultObjectWithAHandlerMethodKeepsItsThis() throws IOException {
        assertThat(answer("fn.mjs", """
                export default {
                  prefix: 'default object',
                  handler(event) {
                    return { kind: this.prefix, n: event.n };
                  },
                };
                """, Map.of(), "{\"n\":5}")).isEqualTo(Map.of("kind", "default object", "n", 5));
    }

    @Test
    void anAsyncHandlerIsAwaitedAndItsRejectionsAnsweredAsThrows() throws IOException {
        file("fn.mjs", """
                export async function handler(event) {
                  await new Promise((resolve) => setTimeout(resolve, 20));
                  if (event.bad) throw new RangeError('bad ' + event.bad);
                  if (event.boom) throw new TypeError('boom');
                  if (event.nothing) return;
                  return { awaited: true, n: event.n };
                }
                """);
        try (FunctionProcess p = serve(Map.of())) {
            assertThat(ok(post(p, "{\"n\":6}"))).isEqualTo(Map.of("awaited", true, "n", 6));

            Response bad = post(p, "{\"bad\":\"amount\"}");
            assertPlainError(bad, 400, "InvalidInput");
            assertThat(parse(bad)).containsEntry("message", "bad amount");

            Response boom = post(p, "{\"boom\":true}");
            assertPlainError(boom, 500, "FunctionError");
            assertThat(parse(boom).get("message").toString()).contains("TypeError").doesNotContain("boom");

            Response nothing = post(p, "{\"nothing\":true}");
            assertThat(nothing.statusCode()).isEqualTo(200);
            assertThat(nothing.asString()).as("a handler that returns nothing answers null, as Python's None").isEqualTo("null");
        }
    }

    @Test
    void anEsModuleWithTopLevelAwaitLoadsBeforeItsFirstAnswer() throws IOException {
        file("settings.mjs", "export const settings = await Promise.resolve({ greeting: 'hello' });\n");
        file("fn.mjs", """
                import { settings } from './settings.mjs';
                const suffix = await new Promise((resolve) => setTimeout(() => resolve('!'), 20));
                export function handler(event) {
                  return { text: settings.greeting + suffix, n: event.n };
                }
                """);
        try (FunctionProcess p = serve(Map.of("FUNCTION_FILE", "fn.mjs"))) {
            assertThat(ok(post(p, "{\"n\":9}"))).isEqualTo(Map.of("text", "hello!", "n", 9));
        }
    }

    @Test
    void anEsModuleThatThrowsWhileLoadingCannotLoadAndSaysWhy() throws Exception {
        file("fn.mjs", "throw new Error('no settings file');\nexport function handler() { return {}; }\n");
        assertThat(logOfAFailedStart()).contains("\"msg\":\"cannot load the function\"").contains("no settings file");
    }

    @Test
    void aCommonJsModuleThatThrowsWhileLoadingRanOnceAndSaysWhy() throws Exception {
        file("fn.js", """
                console.log('loading fn.js');
                const settings = JSON.parse('{not json');
                exports.handler = () => settings;
                """);
        String log = logOfAFailedStart();
        assertThat(log).contains("\"msg\":\"cannot load the function\"").contains("SyntaxError");
        assertThat(log.split("loading fn.js", -1)).as("the module's code ran once: " + log).hasSize(2);
    }

    @Test
    void aJsFileInEsModuleSyntaxWithoutAPackageTypeLoadsAsAModule() throws IOException {
        assertThat(answer("fn.js", """
                export function handler(event) {
                  return { format: typeof module === 'object' ? 'commonjs' : 'module', n: event.n };
                }
                """, Map.of(), "{\"n\":10}")).isEqualTo(Map.of("format", "module", "n", 10));
    }

    @Test
    void aTypeModulePackageIsFoundByItsMainAndImportsItsHelpersAndPackages() throws IOException {
        file("package.json", "{\"name\": \"fn\", \"type\": \"module\", \"main\": \"src/index.js\"}");
        file("src/index.js", """
                import { shout } from './util.js';
                import pad from 'tiny-pad';
                export const handler = (event) => ({ text: pad(shout(event.text), 8) });
                """);
        file("src/util.js", "export const shout = (s) => s.toUpperCase();\n");
        file("other.js", "export const handler = () => ({ wrong: 'file' });\n");
        file("node_modules/tiny-pad/package.json", "{\"name\": \"tiny-pad\", \"main\": \"index.js\"}");
        file("node_modules/tiny-pad/index.js", "module.exports = (s, n) => s.padStart(n, '.');\n");
        try (FunctionProcess p = serve(Map.of())) {
            assertThat(ok(post(p, "{\"text\":\"hey\"}"))).isEqualTo(Map.of("text", ".....HEY"));
            assertThat(p.logText()).containsPattern("\"msg\":\"ready\"[^\\n]*\"file\":\"index.js\"");
        }
    }

    @Test
    void functionHandlerNamesAnotherExport() throws IOException {
        assertThat(answer("fn.mjs", """
                export function handler() { return { called: 'handler' }; }
                export function process(event) { return { called: 'process', n: event.n }; }
                """, Map.of("FUNCTION_HANDLER", "process"), "{\"n\":7}")).isEqualTo(Map.of("called", "process", "n", 7));
    }

    @Test
    void anExtensionlessFileAsTheGuideUploadsItLoads() throws IOException {
        assertThat(answer("my-fn-0b7e6c1a", "exports.handler = (event) => ({ status: 'success', n: event.n });\n",
                Map.of(), "{\"n\":8}")).isEqualTo(Map.of("status", "success", "n", 8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"fn.mjs | export const notAHandler = 1;", "fn.cjs | exports.notAHandler = 1;",
        "fn.js | module.exports = { notAHandler: 1 };"})
    void aModuleWithoutTheHandlerCannotLoadAndSaysWhatItExports(String name, String source) throws Exception {
        file(name, source + "\n");
        assertThat(logOfAFailedStart()).contains("\"msg\":\"cannot load the function\"").contains("notAHandler");
    }

    @Test
    void aStrayErrorOfTheFunctionIsLoggedAndTheRuntimeServesOn() throws IOException {
        file("fn.mjs", """
                export function handler(event) {
                  if (event.stray === 'throw') setTimeout(() => { throw new Error('stray-throw'); }, 0);
                  if (event.stray === 'reject') Promise.reject(new Error('stray-reject'));
                  return { ok: true };
                }
                """);
        try (FunctionProcess p = serve(Map.of())) {
            assertThat(ok(post(p, "{\"stray\":\"throw\"}"))).containsEntry("ok", true);
            assertThat(ok(post(p, "{\"stray\":\"reject\"}"))).containsEntry("ok", true);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(p.logText())
                    .containsPattern("\"msg\":\"uncaught exception\"[^\\n]*stray-throw")
                    .containsPattern("\"msg\":\"unhandled rejection\"[^\\n]*stray-reject"));
            assertThat(ok(post(p, "{}"))).containsEntry("ok", true);
        }
    }
}
