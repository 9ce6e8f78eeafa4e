package io.knative.lambda.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The user's handler method, loaded from FUNCTION_DIR/classes: {@code handler(Map)} or {@code handler(Map, Map)}, static or not. */
final class FunctionHandler {

    private final MethodHandle handle;
    private final boolean wantsAttributes;

    private FunctionHandler(MethodHandle handle, boolean wantsAttributes) {
        this.handle = handle;
        this.wantsAttributes = wantsAttributes;
    }

    /** Loads the class and finds the handler; IllegalStateException with a plain message when it cannot. */
    static FunctionHandler load(FunctionConfig config) {
        Path classes = config.functionDir().resolve("classes");
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException(classes + " is not a folder: the function's compiled classes belong there");
        }
        try {
            URLClassLoader loader = new URLClassLoader("function", classPath(classes, config.depsDir()),
                    FunctionHandler.class.getClassLoader());
            Class<?> type = Class.forName(config.className(), true, loader);
            Method method = find(type, config.handlerName(), 2);
            boolean two = method != null;
            if (method == null) {
                method = find(type, config.handlerName(), 1);
            }
            if (method == null) {
                throw new IllegalStateException(config.className() + " has no public method " + config.handlerName()
                        + "(Map<String, Object> event) nor " + config.handlerName() + "(Map<String, Object> event, Map<String, Object> attributes)");
            }
            MethodHandle handle = MethodHandles.publicLookup().unreflect(method);
            if (!Modifier.isStatic(method.getModifiers())) {
                Object instance = type.getConstructor().newInstance();
                handle = handle.bindTo(instance);
            }
            handle = two ? handle.asType(MethodType.methodType(Object.class, Map.class, Map.class))
                    : handle.asType(MethodType.methodType(Object.class, Map.class));
            return new FunctionHandler(handle, two);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("class " + config.className() + " not found in " + classes, e);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(config.className() + " has an instance handler but no public no-argument constructor", e);
        } catch (ReflectiveOperationException | java.net.MalformedURLException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            throw new IllegalStateException("cannot load " + config.className() + ": " + cause, cause);
        }
    }

    /** The function's classes, then every {@code *.jar} of FUNCTION_DEPS_DIR in name order (its dependency layer). */
    private static URL[] classPath(Path classes, Path depsDir) throws java.net.MalformedURLException {
        java.util.List<URL> urls = new java.util.ArrayList<>();
        urls.add(classes.toUri().toURL());
        if (depsDir == null) {
            return urls.toArray(URL[]::new);
        }
        if (!Files.isDirectory(depsDir)) {
            throw new IllegalStateException("FUNCTION_DEPS_DIR " + depsDir + " is not a folder");
        }
        try (var jars = Files.list(depsDir)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read FUNCTION_DEPS_DIR " + depsDir + ": " + e.getMessage(), e);
        }
        return urls.toArray(URL[]::new);
    }

    private static Method find(Class<?> type, String name, int arity) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == arity)
                .filter(m -> Arrays.stream(m.getParameterTypes()).allMatch(p -> p.isAssignableFrom(LinkedHashMap.class)))
                .findFirst().orElse(null);
    }

    boolean wantsAttributes() {
        return wantsAttributes;
    }

    /** Calls the handler; whatever it throws is rethrown as is. */
    Object invoke(Map<String, Object> event, Map<String, Object> attributes) throws Throwable {
        return wantsAttributes ? (Object) handle.invokeExact(event, attributes) : (Object) handle.invokeExact(event);
    }
}
