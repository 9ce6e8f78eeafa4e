package io.knative.lambda.deployer.it;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.knative.lambda.deployer.KnativeSchemas;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.k8s.Fabric8FunctionCluster;

/**
 * In the tests, the application's {@link FunctionCluster} is the real fabric8 adapter behind a check:
 * every Service and Trigger the deployer creates or updates is validated against the upstream Knative
 * CRD schema before it goes to the API server, and each violation is recorded for
 * {@link MockApiTestBase} to fail the test with.
 */
@ApplicationScoped
public class SchemaCheckedCluster {

    /** Violations seen since the last {@link #takeViolations()}. */
    static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
    /** Writes checked since the last {@link #takeWrites()}. */
    static final List<String> WRITES = new CopyOnWriteArrayList<>();

    @Produces
    @Alternative
    @Priority(10)
    @Singleton
    FunctionCluster checked(KubernetesClient client, DeployerSettings settings) {
        return new Checked(new Fabric8FunctionCluster(client, settings.namespace()));
    }

    static List<String> takeViolations() {
        List<String> v = List.copyOf(VIOLATIONS);
        VIOLATIONS.clear();
        return v;
    }

    static List<String> takeWrites() {
        List<String> w = List.copyOf(WRITES);
        WRITES.clear();
        return w;
    }

    private static void check(String operation, Object object) {
        WRITES.add(operation);
        for (String v : KnativeSchemas.violations(object)) {
            VIOLATIONS.add(operation + ": " + v);
        }
    }

    /** The decorator. */
    static final class Checked implements FunctionCluster {
        private final FunctionCluster delegate;

        Checked(FunctionCluster delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Service> getService(String name) {
            return delegate.getService(name);
        }

        @Override
        public Service createService(Service service) {
            check("create Service " + service.getMetadata().getName(), service);
            return delegate.createService(service);
        }

        @Override
        public Service updateService(Service service) {
            check("update Service " + service.getMetadata().getName(), service);
            return delegate.updateService(service);
        }

        @Override
        public boolean deleteService(String name) {
            return delegate.deleteService(name);
        }

        @Override
        public List<Service> servicesOfFunction(String functionId) {
            return delegate.servicesOfFunction(functionId);
        }

        @Override
        public Optional<Trigger> getTrigger(String name) {
            return delegate.getTrigger(name);
        }

        @Override
        public Trigger createTrigger(Trigger trigger) {
            check("create Trigger " + trigger.getMetadata().getName(), trigger);
            return delegate.createTrigger(trigger);
        }

        @Override
        public Trigger updateTrigger(Trigger trigger) {
            check("update Trigger " + trigger.getMetadata().getName(), trigger);
            return delegate.updateTrigger(trigger);
        }

        @Override
        public boolean deleteTrigger(String name) {
            return delegate.deleteTrigger(name);
        }

        @Override
        public Optional<Revision> getRevision(String name) {
            return delegate.getRevision(name);
        }

        @Override
        public List<Revision> revisionsOf(String serviceName) {
            return delegate.revisionsOf(serviceName);
        }

        @Override
        public Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
            return delegate.awaitService(name, condition, timeout);
        }
    }
}
