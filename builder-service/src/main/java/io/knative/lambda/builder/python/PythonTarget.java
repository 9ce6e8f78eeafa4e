package io.knative.lambda.builder.python;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The interpreter the functions run on, which wheels must fit: {@code klambda.python.version}, {@code .implementation},
 * {@code .abi} and {@code .platform}. A {@code manylinux_2_N_<arch>} platform also accepts every older glibc's wheels
 * (down to {@code manylinux_2_17} and the legacy {@code manylinux2014}/{@code 2010}/{@code 1} names), as pip does for
 * the interpreter it runs on.
 *
 * @param version        {@code 3.12}
 * @param implementation {@code cp}
 * @param abi            {@code cp312}
 * @param platforms      the accepted platform tags, newest first
 */
public record PythonTarget(String version, String implementation, String abi, List<String> platforms) {

    private static final Pattern MANYLINUX = Pattern.compile("manylinux_2_(\\d+)_(\\w+)");
    private static final Pattern VERSION = Pattern.compile("3\\.\\d{1,2}");

    public PythonTarget {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("klambda.python.version must be like 3.12, not " + version);
        }
        platforms = List.copyOf(platforms);
    }

    /** The target for {@code version} on {@code platform}; {@code abi} null for the implementation's own. */
    public static PythonTarget of(String version, String implementation, String abi, String platform) {
        String ownAbi = abi == null || abi.isBlank() ? implementation + version.replace(".", "") : abi;
        return new PythonTarget(version, implementation, ownAbi, expand(platform));
    }

    /** {@code manylinux_2_36_x86_64} and the older glibc tags it runs; any other tag as it is. */
    static List<String> expand(String platform) {
        Matcher m = MANYLINUX.matcher(platform);
        if (!m.matches()) {
            return List.of(platform);
        }
        int glibc = Integer.parseInt(m.group(1));
        String arch = m.group(2);
        List<String> tags = new ArrayList<>();
        for (int minor = glibc; minor >= 17; minor--) {
            tags.add("manylinux_2_" + minor + "_" + arch);
        }
        if (glibc >= 17) {
            tags.add("manylinux2014_" + arch);
        }
        if (glibc >= 12 && (arch.equals("x86_64") || arch.equals("i686"))) {
            tags.add("manylinux2010_" + arch);
            tags.add("manylinux1_" + arch);
        }
        return tags;
    }

    /** Python tags a wheel may carry for this interpreter: {@code cp312}, {@code py312}, {@code py3}. */
    List<String> pythonTags() {
        String digits = version.replace(".", "");
        return List.of(implementation + digits, "py" + digits, "py3", "py" + version.charAt(0));
    }

    /** Whether a wheel's file name fits this interpreter (python, abi and platform tags; compressed tag sets too). */
    boolean fits(String wheelFileName) {
        String stem = wheelFileName.substring(0, wheelFileName.length() - ".whl".length());
        String[] parts = stem.split("-");
        if (parts.length < 5) {
            return false;
        }
        String py = parts[parts.length - 3];
        String abiTag = parts[parts.length - 2];
        String plat = parts[parts.length - 1];
        boolean pyOk = anyOf(py, pythonTags()) || anyMatch(py, "cp3\\d*", abiTag.equals("abi3"));
        boolean abiOk = anyOf(abiTag, List.of(abi, "none", "abi3"));
        boolean platOk = anyOf(plat, platforms) || anyOf(plat, List.of("any"));
        return pyOk && abiOk && platOk;
    }

    private static boolean anyOf(String compressed, List<String> accepted) {
        for (String tag : compressed.split("\\.")) {
            if (accepted.contains(tag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyMatch(String compressed, String regex, boolean when) {
        return when && compressed.matches(regex);
    }

    /** For messages: {@code CPython 3.12 (cp312) on manylinux_2_36_x86_64}. */
    String describe() {
        return ("cp".equals(implementation) ? "CPython " : implementation + " ") + version + " (" + abi + ") on "
                + platforms.get(0);
    }
}
