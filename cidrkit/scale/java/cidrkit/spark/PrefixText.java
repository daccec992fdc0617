package cidrkit.spark;

/**
 * Writes a prefix's text from its network and length, in the canonical form
 * cidrkit's tables hold (Python's {@code ipaddress}): a dotted quad, or IPv6
 * in lower-case hex without leading zeros and the longest run of two or more
 * zero groups (the first of equal runs) as {@code ::} (RFC 5952), then
 * {@code /length}.
 */
final class PrefixText {
    private PrefixText() {}

    /** The longest text written: eight groups of four digits, seven colons, "/128". */
    static final int LONGEST = 43;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Write {@code network/length} (IPv4) at {@code out[at]}; the count of bytes written. */
    static int writeV4(int network, int length, byte[] out, int at) {
        int pos = at;
        for (int shift = 24; shift >= 0; shift -= 8) {
            pos = writeDecimal((network >>> shift) & 0xFF, out, pos);
            out[pos++] = (byte) (shift == 0 ? '/' : '.');
        }
        return writeDecimal(length, out, pos) - at;
    }

    /** Write {@code (hi, lo)/length} (IPv6) at {@code out[at]}; the count of bytes written. */
    static int writeV6(long hi, long lo, int length, byte[] out, int at) {
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written, not compressed
        for (int g = 0; g < 8; ) {
            if (group(hi, lo, g) != 0) {
                g++;
                continue;
            }
            int end = g + 1;
            while (end < 8 && group(hi, lo, end) == 0) {
                end++;
            }
            if (end - g > bestLength) {
                bestStart = g;
                bestLength = end - g;
            }
            g = end;
        }
        int pos = at;
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out[pos++] = ':';
                out[pos++] = ':';
                g += bestLength - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLength) {
                out[pos++] = ':';
            }
            pos = writeHex(group(hi, lo, g), out, pos);
        }
        out[pos++] = '/';
        return writeDecimal(length, out, pos) - at;
    }

    private static int group(long hi, long lo, int g) {
        return (int) ((g < 4 ? hi : lo) >>> (48 - 16 * (g & 3))) & 0xFFFF;
    }

    private static int writeDecimal(int value, byte[] out, int pos) {
        if (value >= 100) {
            out[pos++] = (byte) ('0' + value / 100);
        }
        if (value >= 10) {
            out[pos++] = (byte) ('0' + value / 10 % 10);
        }
        out[pos++] = (byte) ('0' + value % 10);
        return pos;
    }

    private static int writeHex(int group, byte[] out, int pos) {
        for (int shift = 12; shift > 0; shift -= 4) {
            if (group >>> shift != 0) {
                out[pos++] = HEX[(group >>> shift) & 0xF];
            }
        }
        out[pos++] = HEX[group & 0xF];
        return pos;
    }

    /**
     * Per row of a prefix column (UTF-8 values with offsets): the prefix length
     * with the family's bits above it ({@code length | 32 << 8} or
     * {@code length | 128 << 8}) where the row's text is exactly what this class
     * writes for it, else -1 (the text is then read from the table as stored).
     */
    static int[] canonicalLengths(byte[] values, int[] offsets, int rows) {
        int[] codes = new int[rows];
        AddressText reader = new AddressText();
        byte[] written = new byte[LONGEST];
        for (int row = 0; row < rows; row++) {
            codes[row] = canonicalLength(values, offsets[row], offsets[row + 1], reader, written);
        }
        return codes;
    }

    private static int canonicalLength(byte[] values, int start, int end, AddressText reader, byte[] written) {
        int slash = -1;
        for (int i = start; i < end; i++) {
            if (values[i] == '/') {
                slash = i;
                break;
            }
        }
        if (slash < 0 || end - slash < 2 || end - slash > 4 || end - start > LONGEST) {
            return -1;
        }
        int length = 0;
        for (int i = slash + 1; i < end; i++) {
            int digit = values[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            length = length * 10 + digit;
        }
        int verdict = reader.read(values, start, slash - start);
        int size;
        int bits;
        // The network under the mask: a text with host bits is not what a lookup writes.
        if (verdict == AddressText.V4 && length <= 32) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            size = writeV4((int) reader.lo & mask, length, written, 0);
            bits = 32;
        } else if (verdict == AddressText.V6 && length <= 128) {
            long hiMask = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
            long loMask = length <= 64 ? 0 : -1L << (128 - length);
            size = writeV6(reader.hi & hiMask, reader.lo & loMask, length, written, 0);
            bits = 128;
        } else {
            return -1;
        }
        boolean same = size == end - start
                && java.util.Arrays.equals(written, 0, size, values, start, end);
        return same ? length | bits << 8 : -1;
    }
}
