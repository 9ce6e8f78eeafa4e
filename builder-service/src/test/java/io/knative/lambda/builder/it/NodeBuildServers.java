package io.knative.lambda.builder.it;

import java.util.Map;

import io.knative.lambda.testsupport.NpmRegistryServer;

/** {@link BuilderServers} plus an npm registry on loopback with a package that has a dependency of its own. */
public class NodeBuildServers extends BuilderServers {

    static NpmRegistryServer npm;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        npm = NpmRegistryServer.start();
        npm.add("shout-lib", "1.0.0", "exports.shout = (s) => s.toUpperCase() + '!';\n", Map.of());
        npm.add("greeting-lib", "1.2.0", "const { shout } = require('shout-lib');\nexports.greet = (n) => shout('hello ' + n);\n",
                Map.of("shout-lib", "^1.0.0"));
        npm.add("later-lib", "1.0.0", "exports.x = 1;\n", Map.of());
        config.put("klambda.npm.registry", npm.url());
        config.put("klambda.runtime.node.base-image", "scratch");
        return config;
    }

    @Override
    public void stop() {
        if (npm != null) {
            npm.close();
            npm = null;
        }
        super.stop();
    }
}
