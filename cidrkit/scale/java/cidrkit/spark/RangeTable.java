package cidrkit.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * cidrkit's longest-prefix-match table as the JVM holds it, read from the file
 * {@code cidrkit.scale.jvm} writes (the compiled engine's own flattened table).
 *
 * <p>Each family's prefixes are cut into sorted, disjoint pieces; a piece's
 * owner is the table row of the most specific prefix covering it, -1 for
 * none. A lookup reads the slice index on the address's top bits and
 * binary-searches the few piece starts of that slice for the last one at or
 * below the address, as the engine does. The output columns (the prefix text
 * and the labels) are kept as UTF-8 bytes with offsets, not one String per
 * row, so a full BGP table costs tens of MiB, not hundreds.
 *
 * <p>File layout, little-endian: the magic {@code CIDRKJT1}; the row count
 * (u32); per family, IPv4 then IPv6: the piece count n (u32), the starts (n
 * u32 for IPv4; n u64 high words then n u64 low words for IPv6), the owners
 * (n i32), the index length m (u32) and the index (m u32); then the column
 * count (u32) and per column its name (u32 length, UTF-8), the rows + 1 value
 * offsets (i32) and the value bytes (u64 length, bytes).
 */
public final class RangeTable {
    static final byte[] MAGIC = "CIDRKJT1".getBytes(StandardCharsets.US_ASCII);

    // An IPv4 piece is one long: its start in the high half, with the sign bit
    // flipped so that signed comparison orders starts as unsigned, and its owner
    // in the low half, so the search and the answer read one cache line. IPv6
    // high words are flipped likewise; low words are compared unsigned.
    private final long[] pieces4;
    private final int[] index4;
    private final int shift4;
    private final long[] startsHi6;
    private final long[] startsLo6;
    private final int[] owners6;
    private final int[] index6;
    private final int shift6;
    private final int rows;
    private final String[] columnNames;
    private final int[][] offsets;
    private final byte[][] values;
    // Per column, the rows' texts in slots of one width (a length byte, then the
    // bytes) when the longest is short: a row's text is then one read from one
    // place, where offsets and values cost two cache misses on a large table.
    private final byte[][] slots;
    private final int[] slotWidth;

    private static final Map<String, RangeTable> LOADED = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RangeTable> eldest) {
            // A session may register a few tables in turn; keep the recent two.
            return size() > 2;
        }
    };

    /**
     * The table in {@code file}, loaded once per JVM for its content {@code key}
     * (the file's hash, part of its name): every task of an executor shares it.
     */
    public static RangeTable shared(String key, Path file) {
        synchronized (LOADED) {
            RangeTable table = LOADED.get(key);
            if (table == null) {
                try {
                    table = read(file);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the cidrkit table " + file + ": " + e, e);
                }
                LOADED.put(key, table);
            }
            return table;
        }
    }

    /** Read a table file. */
    public static RangeTable read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            data.order(ByteOrder.LITTLE_ENDIAN);
            return new RangeTable(data, file);
        }
    }

    private RangeTable(ByteBuffer data, Path file) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        data.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a cidrkit JVM table (no CIDRKJT1 magic)");
        }
        try {
            rows = data.getInt();
            int n4 = data.getInt();
            int[] starts4 = ints(data, n4);
            int[] owners4 = ints(data, n4);
            pieces4 = new long[n4];
            for (int k = 0; k < n4; k++) {
                pieces4[k] = ((long) (starts4[k] ^ Integer.MIN_VALUE) << 32) | (owners4[k] & 0xFFFFFFFFL);
            }
            index4 = ints(data, data.getInt());
            shift4 = 32 - indexBits(index4.length, file);
            int n6 = data.getInt();
            startsHi6 = longs(data, n6);
            startsLo6 = longs(data, n6);
            for (int k = 0; k < n6; k++) {
                startsHi6[k] ^= Long.MIN_VALUE;
            }
            owners6 = ints(data, n6);
            index6 = ints(data, data.getInt());
            shift6 = 64 - indexBits(index6.length, file);
            int columns = data.getInt();
            columnNames = new String[columns];
            offsets = new int[columns][];
            values = new byte[columns][];
            for (int c = 0; c < columns; c++) {
                byte[] name = new byte[data.getInt()];
                data.get(name);
                columnNames[c] = new String(name, StandardCharsets.UTF_8);
                offsets[c] = ints(data, rows + 1);
                values[c] = new byte[Math.toIntExact(data.getLong())];
                data.get(values[c]);
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new IOException(file + " is cut short or damaged", e);
        }
        if (data.hasRemaining()) {
            throw new IOException(file + " has bytes after its last column");
        }
        slots = new byte[columnNames.length][];
        slotWidth = new int[columnNames.length];
        for (int c = 0; c < columnNames.length; c++) {
            int longest = 0;
            for (int row = 0; row < rows; row++) {
                longest = Math.max(longest, offsets[c][row + 1] - offsets[c][row]);
            }
            if (longest < MAX_SLOT && (long) rows * (longest + 1) < Integer.MAX_VALUE) {
                int width = longest + 1;
                byte[] packed = new byte[rows * width];
                for (int row = 0; row < rows; row++) {
                    int start = offsets[c][row];
                    int length = offsets[c][row + 1] - start;
                    packed[row * width] = (byte) length;
                    System.arraycopy(values[c], start, packed, row * width + 1, length);
                }
                slots[c] = packed;
                slotWidth[c] = width;
            }
        }
    }

    /** Texts up to this long are kept in slots (a full IPv6 prefix is 43 characters). */
    private static final int MAX_SLOT = 64;

    private static int[] ints(ByteBuffer data, int n) {
        int[] out = new int[n];
        data.asIntBuffer().get(out);
        data.position(data.position() + 4 * n);
        return out;
    }

    private static long[] longs(ByteBuffer data, int n) {
        long[] out = new long[n];
        data.asLongBuffer().get(out);
        data.position(data.position() + 8 * n);
        return out;
    }

    private static int indexBits(int length, Path file) throws IOException {
        int slices = length - 1;
        if (slices < 1 || Integer.bitCount(slices) != 1) {
            throw new IOException(file + " has a slice index of " + length + " entries");
        }
        return Integer.numberOfTrailingZeros(slices);
    }

    /** Rows of the table: the owners index them. */
    public int rows() {
        return rows;
    }

    /** The output columns' names, prefix first. */
    public String[] columnNames() {
        return columnNames.clone();
    }

    /** The row of the longest prefix holding the IPv4 address {@code address}, or -1. */
    public int lookup4(int address) {
        int slice = address >>> shift4;
        int low = index4[slice];
        int high = index4[slice + 1];
        int key = address ^ Integer.MIN_VALUE;
        // The last start at or below the address; a slice holding none
        // continues the piece that began before it (boundary 0 is address 0).
        while (low < high) {
            int mid = (low + high) >>> 1;
            if ((int) (pieces4[mid] >> 32) <= key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return (int) pieces4[low - 1];
    }

    /** The row of the longest prefix holding the IPv6 address {@code (hi, lo)}, or -1. */
    public int lookup6(long hi, long lo) {
        int slice = (int) (hi >>> shift6);
        int low = index6[slice];
        int high = index6[slice + 1];
        long key = hi ^ Long.MIN_VALUE;
        while (low < high) {
            int mid = (low + high) >>> 1;
            long start = startsHi6[mid];
            if (start < key || (start == key && Long.compareUnsigned(startsLo6[mid], lo) <= 0)) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return owners6[low - 1];
    }

    /**
     * The row matched by {@code text}: the owner row, -1 for no match or an empty
     * value, {@link AddressText#NOT_AN_ADDRESS} for a value that is not an address.
     */
    public int lookup(AddressText reader, String text) {
        return answer(reader, reader.read(text));
    }

    private int answer(AddressText reader, int verdict) {
        switch (verdict) {
            case AddressText.V4:
                return lookup4((int) reader.lo);
            case AddressText.V6:
                return lookup6(reader.hi, reader.lo);
            case AddressText.EMPTY:
                return -1;
            default:
                return AddressText.NOT_AN_ADDRESS;
        }
    }

    /** As {@link #lookup(AddressText, String)}, for the UTF-8 text in {@code bytes[0, length)}. */
    public int lookup(AddressText reader, byte[] bytes, int length) {
        return answer(reader, reader.read(bytes, length));
    }

    /** The UTF-8 bytes of {@code column}'s values; {@link #offsets} say where each row's are. */
    byte[] values(int column) {
        return values[column];
    }

    /** Where each row's value starts in {@link #values}, and, one further, where the last ends. */
    int[] offsets(int column) {
        return offsets[column];
    }

    /** {@code column}'s texts in slots of {@link #slotWidth} bytes (a length byte first), or null. */
    byte[] slots(int column) {
        return slots[column];
    }

    int slotWidth(int column) {
        return slotWidth[column];
    }

    /** Bytes held: the pieces, the indexes and the output columns. */
    public long heapBytes() {
        long bytes = 8L * pieces4.length + 4L * (index4.length + owners6.length + index6.length);
        bytes += 16L * startsHi6.length;
        for (int c = 0; c < values.length; c++) {
            bytes += 4L * offsets[c].length + values[c].length + (slots[c] == null ? 0 : slots[c].length);
        }
        return bytes;
    }
}
