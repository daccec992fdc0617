package cidrkit.spark;

import java.nio.charset.StandardCharsets;

/**
 * Reads one address from a text value with exactly the verdicts of cidrkit's
 * Arrow lookup, so that the JVM and the Python path match the same rows.
 *
 * <p>That path reads each value as a line of an address list: a value holding a
 * line break is not an address; text from the first {@code #} on is a comment;
 * whitespace around the address (Python's {@code str.strip}, Unicode included)
 * is dropped; what is left empty is no address and no error. What remains must
 * be a strict address: a dotted quad without leading zeros, or IPv6 in any RFC
 * 4291 form without a zone index (a text with ':' is read as IPv6, any other as
 * IPv4). A prefix, a range or anything else is not an address.
 *
 * <p>One instance is reused for many values by one thread: {@link #read} leaves
 * the address in {@link #hi} and {@link #lo} (IPv4 in {@code lo}).
 */
public final class AddressText {
    /** {@link #read}'s answers. */
    public static final int NOT_AN_ADDRESS = -2;
    public static final int EMPTY = 0;
    public static final int V4 = 4;
    public static final int V6 = 6;

    /** The address read last: IPv6 as two words, IPv4 in the low 32 bits of {@code lo}. */
    public long hi;
    public long lo;

    // The longest address text is 45 characters (eight groups, the last two as a dotted quad).
    private static final int LONGEST = 64;
    private final byte[] buffer = new byte[LONGEST];
    private final int[] groups = new int[8];

    /** The value of each hex digit byte, -1 for other bytes. */
    private static final byte[] HEX_VALUE = new byte[256];

    static {
        java.util.Arrays.fill(HEX_VALUE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX_VALUE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX_VALUE['a' + i] = (byte) (10 + i);
            HEX_VALUE['A' + i] = (byte) (10 + i);
        }
    }

    /** Read {@code text}: {@link #V4}, {@link #V6}, {@link #EMPTY} or {@link #NOT_AN_ADDRESS}. */
    public int read(String text) {
        int end = text.length();
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return NOT_AN_ADDRESS;
            }
            if (c == '#') {
                end = i;
                break;
            }
        }
        int start = 0;
        while (start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return EMPTY;
        }
        if (end - start > buffer.length) {
            return NOT_AN_ADDRESS;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return NOT_AN_ADDRESS; // addresses are ASCII
            }
            buffer[i - start] = (byte) c;
        }
        return parse(end - start);
    }

    /**
     * Read the UTF-8 text in {@code bytes[0, length)}, as {@link #read(String)} does;
     * the bytes are those of {@link #buffer()}, filled by the caller, or any array.
     */
    public int read(byte[] bytes, int length) {
        return read(bytes, 0, length);
    }

    /**
     * Read the UTF-8 text in {@code bytes[from, from + length)} (a value where
     * Spark keeps it, read in place), as {@link #read(String)} does.
     */
    public int read(byte[] bytes, int from, int length) {
        // The common case first: the value is exactly an address, which both
        // strict readers accept as it stands (no space, comment or line break
        // to find first); they reject anything else, which the full reading
        // below then gives its verdict.
        if (length > 0 && length <= LONGEST) {
            long v4 = readV4(bytes, from, from + length);
            if (v4 >= 0) {
                hi = 0;
                lo = v4;
                return V4;
            }
            if (readV6(bytes, from, from + length)) {
                return V6;
            }
        }
        if (from != 0) {
            return read(java.util.Arrays.copyOfRange(bytes, from, from + length), length);
        }
        int end = length;
        for (int i = 0; i < end; i++) {
            byte b = bytes[i];
            if (b < 0) {
                // Past ASCII: Unicode spaces may surround the address.
                return read(new String(bytes, 0, length, StandardCharsets.UTF_8));
            }
            if (b == '\n' || b == '\r') {
                return NOT_AN_ADDRESS;
            }
            if (b == '#') {
                end = i;
                break;
            }
        }
        int start = 0;
        while (start < end && isPythonSpace((char) bytes[start])) {
            start++;
        }
        while (end > start && isPythonSpace((char) bytes[end - 1])) {
            end--;
        }
        if (start == end) {
            return EMPTY;
        }
        if (end - start > buffer.length) {
            return NOT_AN_ADDRESS;
        }
        if (bytes != buffer || start != 0) {
            System.arraycopy(bytes, start, buffer, 0, end - start);
        }
        return parse(end - start);
    }

    /** A scratch array for callers that copy a value's bytes in to {@link #read(byte[], int)}. */
    public byte[] buffer() {
        return buffer;
    }

    private int parse(int length) {
        for (int i = 0; i < length; i++) {
            if (buffer[i] == ':') {
                return readV6(buffer, 0, length) ? V6 : NOT_AN_ADDRESS;
            }
        }
        long v4 = readV4(buffer, 0, length);
        if (v4 < 0) {
            return NOT_AN_ADDRESS;
        }
        hi = 0;
        lo = v4;
        return V4;
    }

    /**
     * The characters Python's {@code str.strip()} removes: {@code str.isspace()},
     * which counts the ASCII separators 0x1C to 0x1F and the Unicode spaces.
     */
    static boolean isPythonSpace(char c) {
        if (c <= ' ') {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
        }
        if (c < 0x85) {
            return false;
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /**
     * A dotted quad's value, or -1: four decimal octets of 1 to 3 digits, no
     * leading zero (some tools read those as octal), each at most 255.
     */
    static long readV4(byte[] text, int start, int end) {
        long value = 0;
        int parts = 0;
        int pos = start;
        while (true) {
            int digits = 0;
            int octet = 0;
            int first = pos;
            while (pos < end && text[pos] != '.') {
                int c = text[pos];
                if (c < '0' || c > '9' || ++digits > 3) {
                    return -1;
                }
                octet = octet * 10 + (c - '0');
                pos++;
            }
            if (digits == 0 || octet > 255 || (digits > 1 && text[first] == '0')) {
                return -1;
            }
            value = (value << 8) | octet;
            parts++;
            if (pos == end) {
                return parts == 4 ? value : -1;
            }
            if (parts == 4) {
                return -1;
            }
            pos++; // the dot
        }
    }

    /**
     * Read IPv6 text into {@link #hi} and {@link #lo}: {@code ::} at most once and
     * standing for at least one zero group, 1 to 4 hex digits a group, an
     * optional dotted quad as the last two groups, no zone index.
     */
    private boolean readV6(byte[] text, int start, int end) {
        int count = 0;
        int gap = -1;
        int pos = start;
        if (end - start >= 2 && text[start] == ':' && text[start + 1] == ':') {
            gap = 0;
            pos += 2;
            if (pos == end) {
                hi = 0;
                lo = 0;
                return true;
            }
        }
        while (true) {
            int first = pos;
            int value = 0;
            while (pos < end && pos - first < 5) {
                int digit = HEX_VALUE[text[pos] & 0xFF];
                if (digit < 0) {
                    break;
                }
                value = (value << 4) | digit;
                pos++;
            }
            int digits = pos - first;
            if (pos < end && text[pos] == '.') {
                long v4 = readV4(text, first, end);
                if (v4 < 0 || count > 6) {
                    return false;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                break;
            }
            if (digits == 0 || digits > 4 || count == 8) {
                return false;
            }
            groups[count++] = value;
            if (pos == end) {
                break;
            }
            if (text[pos] != ':') {
                return false;
            }
            pos++;
            if (pos < end && text[pos] == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = count;
                pos++;
                if (pos == end) {
                    break;
                }
            } else if (pos == end) {
                return false; // a single trailing colon: an empty last group
            }
        }
        if (gap < 0) {
            if (count != 8) {
                return false;
            }
        } else {
            if (count > 7) {
                return false;
            }
            int tail = count - gap;
            System.arraycopy(groups, gap, groups, 8 - tail, tail);
            java.util.Arrays.fill(groups, gap, 8 - tail, 0);
        }
        hi = ((long) groups[0] << 48) | ((long) groups[1] << 32) | ((long) groups[2] << 16) | groups[3];
        lo = ((long) groups[4] << 48) | ((long) groups[5] << 32) | ((long) groups[6] << 16) | groups[7];
        return true;
    }
}
