package io.knative.lambda.runtime.compiler;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.jdt.core.compiler.batch.BatchCompiler;
import org.eclipse.jdt.internal.compiler.classfmt.ClassFileConstants;
import org.eclipse.jdt.internal.compiler.classfmt.ClassFileReader;
import org.eclipse.jdt.internal.compiler.classfmt.ClassFormatException;
import org.eclipse.jdt.internal.compiler.env.IBinaryMethod;

/**
 * Compiles one uploaded Java function source with Eclipse ECJ (no JDK needed) to Java 17 class files.
 * The upload's file name may differ from its public class ({@code invoice.java} holding {@code Invoice}):
 * the public top-level class and package are read from the source. Thread-safe; runs no user code.
 */
public final class JavaFunctionCompiler {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\p{javaJavaIdentifierPart}.\\s]+?)\\s*;");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "\\bpublic\\s+(?:(?:final|abstract|strictfp|sealed|non-sealed|static)\\s+)*(?:class|interface|enum|record|@interface)\\s+"
                    + "(\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)");
    /** One or two parameters the runtime can pass a map to: Map, Object, HashMap, LinkedHashMap, AbstractMap. */
    private static final Pattern HANDLER_DESCRIPTOR = Pattern.compile(
            "\\((L(java/util/Map|java/lang/Object|java/util/HashMap|java/util/LinkedHashMap|java/util/AbstractMap);){1,2}\\).*");
    private static final Pattern PROBLEM = Pattern.compile("^\\d+\\. (ERROR|WARNING|INFO) in (.*?)(?: \\(at line (\\d+)\\))?$");

    /**
     * Compiles {@code source} (UTF-8) uploaded as {@code fileName}.
     *
     * @throws FunctionCompileException when the source has no public top-level class or does not compile
     */
    public CompiledFunction compile(String fileName, byte[] source) throws FunctionCompileException {
        return compile(fileName, source, List.of());
    }

    /**
     * Compiles {@code source} (UTF-8) uploaded as {@code fileName} against the jars of {@code classpath}.
     *
     * @throws FunctionCompileException when the source has no public top-level class or does not compile
     */
    public CompiledFunction compile(String fileName, byte[] source, List<Path> classpath) throws FunctionCompileException {
        String displayName = fileName == null || fileName.isBlank() ? "Function.java" : Path.of(fileName).getFileName().toString();
        String text = utf8(displayName, source);
        String code = blankCommentsAndLiterals(text);
        String packageName = packageOf(code);
        String simpleName = publicTopLevelType(code);
        if (simpleName == null) {
            String error = displayName + ": no public top-level class (the function is a public class with a handler method)";
            throw new FunctionCompileException(error, List.of(error));
        }
        String className = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
        TreeMap<String, String> sources = new TreeMap<>();
        sources.put(className.replace('.', '/') + ".java", text);
        SortedMap<String, byte[]> classes = run(sources, classpath, Map.of(className.replace('.', '/') + ".java", displayName));
        if (!classes.containsKey(className.replace('.', '/') + ".class")) {
            String error = displayName + ": the compiler produced no class " + className;
            throw new FunctionCompileException(error, List.of(error));
        }
        return new CompiledFunction(className, classes);
    }

    /**
     * Compiles several sources together (an archive's {@code .java} files, by their path in it) against the jars of
     * {@code classpath}; the class files by relative path. Error lines name the sources by those paths.
     */
    public SortedMap<String, byte[]> compileAll(SortedMap<String, byte[]> sources, List<Path> classpath)
            throws FunctionCompileException {
        TreeMap<String, String> texts = new TreeMap<>();
        Map<String, String> names = new java.util.HashMap<>();
        for (var e : sources.entrySet()) {
            texts.put(e.getKey(), utf8(e.getKey(), e.getValue()));
            names.put(e.getKey(), e.getKey());
        }
        return run(texts, classpath, names);
    }

    /**
     * The public top-level classes among {@code classFiles} that have a public method {@code method} taking one or two
     * maps (the runtime's handler shapes), by their fully-qualified names. Reads class files, loads nothing.
     */
    public static List<String> handlerClasses(Map<String, byte[]> classFiles, String method) {
        List<String> found = new ArrayList<>();
        for (var e : new TreeMap<>(classFiles).entrySet()) {
            if (!e.getKey().endsWith(".class") || e.getKey().contains("$")) {
                continue;
            }
            try {
                ClassFileReader reader = new ClassFileReader(e.getValue(), e.getKey().toCharArray());
                if ((reader.getModifiers() & ClassFileConstants.AccPublic) == 0 || reader.isNestedType()) {
                    continue;
                }
                IBinaryMethod[] methods = reader.getMethods();
                for (IBinaryMethod m : methods == null ? new IBinaryMethod[0] : methods) {
                    if ((m.getModifiers() & ClassFileConstants.AccPublic) != 0 && method.equals(new String(m.getSelector()))
                            && HANDLER_DESCRIPTOR.matcher(new String(m.getMethodDescriptor())).matches()) {
                        found.add(new String(reader.getName()).replace('/', '.'));
                        break;
                    }
                }
            } catch (ClassFormatException ex) {
                // not a class file the compiler made: not a candidate
            }
        }
        return found;
    }

    private static String utf8(String displayName, byte[] source) throws FunctionCompileException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(source)).toString();
        } catch (CharacterCodingException e) {
            throw new FunctionCompileException(displayName + ": the source is not UTF-8 text",
                    List.of(displayName + ": the source is not UTF-8 text"));
        }
    }

    /** Runs ECJ on sources (relative path to text) in a temporary folder; the class files, or the errors. */
    private SortedMap<String, byte[]> run(SortedMap<String, String> sources, List<Path> classpath, Map<String, String> displayNames)
            throws FunctionCompileException {
        Path work = null;
        try {
            work = Files.createTempDirectory("klambda-javac-");
            Path sourceDir = work.resolve("src");
            List<String> args = new ArrayList<>(List.of("-17", "-encoding", "UTF-8", "-proc:none", "-parameters", "-g",
                    "-nowarn"));
            if (!classpath.isEmpty()) {
                args.add("-classpath");
                args.add(String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
            }
            Path out = work.resolve("classes");
            Files.createDirectories(out);
            args.add("-d");
            args.add(out.toString());
            Map<String, String> replacements = new java.util.LinkedHashMap<>();
            for (var e : sources.entrySet()) {
                Path file = sourceDir.resolve(e.getKey()).normalize();
                if (!file.startsWith(sourceDir)) {
                    throw new FunctionCompileException(e.getKey() + ": not a relative path", List.of(e.getKey() + ": not a relative path"));
                }
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
                args.add(file.toString());
                replacements.put(file.toString(), displayNames.getOrDefault(e.getKey(), e.getKey()));
            }
            StringWriter output = new StringWriter();
            boolean ok = BatchCompiler.compile(args.toArray(String[]::new), new PrintWriter(output), new PrintWriter(output), null);
            String report = output.toString();
            for (var r : replacements.entrySet()) {
                report = report.replace(r.getKey(), r.getValue());
            }
            if (!ok) {
                List<String> errors = errors(report, String.join(", ", replacements.values()));
                String first = replacements.size() == 1 ? replacements.values().iterator().next() : "the sources";
                throw new FunctionCompileException(first + " does not compile:\n" + String.join("\n", errors), errors);
            }
            TreeMap<String, byte[]> classes = new TreeMap<>();
            try (Stream<Path> files = Files.walk(out)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    classes.put(out.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                }
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use a temporary folder to compile " + displayNames.values(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** The error lines of an ECJ report, as {@code file:line: message}. */
    static List<String> errors(String report, String displayName) {
        List<String> errors = new ArrayList<>();
        for (String block : report.split("----------")) {
            String[] lines = block.strip().split("\\R");
            if (lines.length == 0) {
                continue;
            }
            Matcher m = PROBLEM.matcher(lines[0]);
            if (!m.matches() || !m.group(1).equals("ERROR")) {
                continue;
            }
            String message = lines[lines.length - 1].strip();
            String file = m.group(2) == null || m.group(2).isBlank() ? displayName : m.group(2).strip();
            errors.add(file + (m.group(3) != null ? ":" + m.group(3) : "") + ": " + message);
        }
        if (errors.isEmpty()) {
            errors.add(displayName + ": " + report.strip());
        }
        return errors;
    }

    static String packageOf(String code) {
        Matcher m = PACKAGE.matcher(code);
        return m.find() ? m.group(1).replaceAll("\\s", "") : "";
    }

    /** The public type declared at brace depth 0, or null. */
    static String publicTopLevelType(String code) {
        StringBuilder topLevel = new StringBuilder(code.length());
        int depth = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '{') {
                depth++;
                topLevel.append(' ');
            } else if (c == '}') {
                depth = Math.max(0, depth - 1);
                topLevel.append(' ');
            } else {
                topLevel.append(depth == 0 ? c : ' ');
            }
        }
        Matcher m = PUBLIC_TYPE.matcher(topLevel);
        return m.find() ? m.group(1) : null;
    }

    /** The source with comments, string, text-block and char literals replaced by spaces (line breaks kept). */
    static String blankCommentsAndLiterals(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    b.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, b);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blank(s, i, end, b);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(n, j + 1);
                blank(s, i, end, b);
                i = end;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder b) {
        for (int k = from; k < to; k++) {
            b.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: best effort
        }
    }

    /**
     * Command line, for {@code make run-function}: {@code JavaFunctionCompiler <source.java> <classesDir> [jarsDir]}
     * compiles the source into the folder (against the jars of {@code jarsDir}, its dependencies) and prints the class
     * name; exit code 1 with the errors on a compile error.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: JavaFunctionCompiler <source.java> <classesDir> [jarsDir]");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        List<Path> classpath = List.of();
        if (args.length == 3) {
            try (Stream<Path> jars = Files.list(Path.of(args[2]))) {
                classpath = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
        }
        try {
            CompiledFunction compiled = new JavaFunctionCompiler().compile(source.getFileName().toString(),
                    Files.readAllBytes(source), classpath);
            compiled.writeTo(Path.of(args[1]));
            System.out.println(compiled.className());
        } catch (FunctionCompileException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
