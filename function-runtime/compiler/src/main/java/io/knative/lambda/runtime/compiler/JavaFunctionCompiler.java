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
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.jdt.core.compiler.batch.BatchCompiler;

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
    private static final Pattern PROBLEM = Pattern.compile("^\\d+\\. (ERROR|WARNING|INFO) in (.*?)(?: \\(at line (\\d+)\\))?$");

    /**
     * Compiles {@code source} (UTF-8) uploaded as {@code fileName}.
     *
     * @throws FunctionCompileException when the source has no public top-level class or does not compile
     */
    public CompiledFunction compile(String fileName, byte[] source) throws FunctionCompileException {
        String displayName = fileName == null || fileName.isBlank() ? "Function.java" : Path.of(fileName).getFileName().toString();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(source)).toString();
        } catch (CharacterCodingException e) {
            throw new FunctionCompileException(displayName + ": the source is not UTF-8 text",
                    List.of(displayName + ": the source is not UTF-8 text"));
        }
        String code = blankCommentsAndLiterals(text);
        String packageName = packageOf(code);
        String simpleName = publicTopLevelType(code);
        if (simpleName == null) {
            String error = displayName + ": no public top-level class (the function is a public class with a handler method)";
            throw new FunctionCompileException(error, List.of(error));
        }
        String className = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;

        Path work = null;
        try {
            work = Files.createTempDirectory("klambda-javac-");
            Path sourceDir = work.resolve("src");
            Path relative = Path.of(className.replace('.', '/') + ".java");
            Path sourceFile = sourceDir.resolve(relative);
            Files.createDirectories(sourceFile.getParent());
            Files.writeString(sourceFile, text, StandardCharsets.UTF_8);
            Path out = work.resolve("classes");
            Files.createDirectories(out);

            StringWriter output = new StringWriter();
            boolean ok = BatchCompiler.compile(new String[] {
                    "-17", "-encoding", "UTF-8", "-proc:none", "-parameters", "-g", "-nowarn",
                    "-d", out.toString(), sourceFile.toString()},
                    new PrintWriter(output), new PrintWriter(output), null);
            String report = output.toString().replace(sourceFile.toString(), displayName);
            if (!ok) {
                List<String> errors = errors(report, displayName);
                throw new FunctionCompileException(displayName + " does not compile:\n" + String.join("\n", errors), errors);
            }
            TreeMap<String, byte[]> classes = new TreeMap<>();
            try (Stream<Path> files = Files.walk(out)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    classes.put(out.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                }
            }
            if (!classes.containsKey(className.replace('.', '/') + ".class")) {
                String error = displayName + ": the compiler produced no class " + className;
                throw new FunctionCompileException(error, List.of(error));
            }
            return new CompiledFunction(className, classes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use a temporary folder to compile " + displayName, e);
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
            errors.add(displayName + (m.group(3) != null ? ":" + m.group(3) : "") + ": " + message);
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
     * Command line, for {@code make run-function}: {@code JavaFunctionCompiler <source.java> <classesDir>} compiles
     * the source into the folder and prints the class name; exit code 1 with the errors on a compile error.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: JavaFunctionCompiler <source.java> <classesDir>");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        try {
            CompiledFunction compiled = new JavaFunctionCompiler().compile(source.getFileName().toString(), Files.readAllBytes(source));
            compiled.writeTo(Path.of(args[1]));
            System.out.println(compiled.className());
        } catch (FunctionCompileException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
