package org.jixiao;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The C functions of {@code jixiao.h}, and the library they come from: the copy bundled in
 * this jar (under {@code linux-x86-64/} or {@code linux-aarch64/}, extracted once to a
 * temporary file), or the file the system property {@code jixiao.library} names. Never a
 * {@code libjixiao.so} that happens to be installed elsewhere: the jar and its library are
 * one version.
 *
 * <p>Text crosses as bytes this class encodes and decodes as UTF-8 itself, whatever the
 * platform's default encoding ({@code LC_ALL=C} makes Java's ASCII, which once turned every
 * Chinese grade into {@code ?}).
 */
final class NativeLibrary {
    private NativeLibrary() {}

    static final int OK = 0;
    /** {@code JIXIAO_ERROR_SUBMISSION}: what a batch item that is no submission reports. */
    static final int SUBMISSION = 4;

    /** The C ABI. {@code byte[]} arguments are NUL-terminated UTF-8 (see {@link #utf8}). */
    interface Api extends Library {
        Pointer jixiao_version();

        int jixiao_engine_new(byte[] rulebook, PointerByReference outEngine, PointerByReference outError);

        int jixiao_engine_from_path(byte[] path, PointerByReference outEngine, PointerByReference outError);

        void jixiao_engine_free(Pointer engine);

        int jixiao_engine_form(Pointer engine, PointerByReference outJson, PointerByReference outError);

        int jixiao_evaluate(Pointer engine, byte[] submission, byte[] options,
                            PointerByReference outScorecard, PointerByReference outError);

        int jixiao_evaluate_batch(Pointer engine, byte[] submissions, byte[] options,
                                  PointerByReference outResults, Pointer outFailed,
                                  PointerByReference outError);

        void jixiao_string_free(Pointer s);
    }

    static final Api API = load();

    private static Api load() {
        String path = System.getProperty("jixiao.library");
        if (path == null || path.isEmpty()) {
            try {
                File bundled = Native.extractFromResourcePath("jixiao", NativeLibrary.class.getClassLoader());
                path = bundled.getAbsolutePath();
            } catch (IOException e) {
                throw new UnsatisfiedLinkError("jixiao: no native library for "
                        + com.sun.jna.Platform.RESOURCE_PREFIX + " in this jar (" + e.getMessage()
                        + "); set -Djixiao.library=/path/to/libjixiao.so");
            }
        }
        return Native.load(path, Api.class);
    }

    /** A Java string as the NUL-terminated UTF-8 the library reads. */
    static byte[] utf8(String s) {
        if (s == null) {
            return null;
        }
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    /** Takes a string the library returned: copied into Java as UTF-8, then freed. */
    static String take(PointerByReference ref) {
        Pointer p = ref.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            API.jixiao_string_free(p);
        }
    }

    /** Throws the library's error for a failed call. */
    static void check(int status, PointerByReference error) {
        if (status != OK) {
            throw JixiaoException.fromNative(status, take(error));
        }
    }
}
