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
 * below the address, as the engine does. The IPv6 table is dense in a few
 * places (a full table has a /32 of 7,500 pieces): its crowded slices are cut
 * again on the next bits, and their crowded parts again, down to parts of a
 * few pieces, so a search reads about a cache line per level; a plain binary
 * search over hundreds of pieces missed the cache on most of its steps.
 *
 * <p>A match is a <em>hit</em>, one long: the piece's position, its family and
 * its info, the owner row with the owner's prefix length. From a hit the
 * prefix text is written, not read: the owner's network is the piece's start
 * under the owner's mask, and the piece was read by the search a moment ago,
 * where a row's stored text is one more random read from a large array (on a
 * full table the most expensive step of a match). Rows whose stored text is
 * not the canonical form {@link PrefixText} writes keep their stored text.
 * The other output columns (the labels) are kept as UTF-8 bytes with offsets,
 * not one String per row, so a full BGP table costs tens of MiB.
 *
 * <p>File layout, little-endian: the magic {@code CIDRKJT1}; the row count
 * (u32); per family, IPv4 then IPv6: the piece count n (u32), the starts (n
 * u32 for IPv4; n u64 high words then n u64 low words for IPv6), the owners
 * (n i32), the index length m (u32) and the index (m u32); then the column
 * count (u32) and per column its name (u32 length, UTF-8), the rows + 1 value
 * offsets (i32) and the value bytes (u64 length, bytes). Column 0 is the prefix.
 */
public final class RangeTable {
    static final byte[] MAGIC = "CIDRKJT1".getBytes(StandardCharsets.US_ASCII);

    /** {@link #match4} and the others' answer for no match (or an empty value). */
    public static final long NO_MATCH = -1;
    /** Their answer for a value that is not an address. */
    public static final long NOT_AN_ADDRESS = -2;

    // A piece's info is an int: -1 for no owner, else the owner row in the low
    // ROW_BITS bits, above them the owner's prefix length or FROM_TABLE (seven
    // bits), and the top bit set for IPv6.
    static final int ROW_BITS = 24;
    static final int ROW_MASK = (1 << ROW_BITS) - 1;
    /** Rows a table may have: the info keeps a row in {@link #ROW_BITS} bits, and -1 means none. */
    public static final int MAX_ROWS = (1 << ROW_BITS) - 1;
    // The prefix text is the row's stored text (also for IPv6 /127 and /128).
    static final int FROM_TABLE = 127;
    static final int V6_INFO = 1 << 31;
    // A hit: the info in the low half; in the high half the IPv4 address, or the
    // IPv6 piece (an IPv4 owner's network is the address under its mask; an IPv6
    // address does not fit beside the info, and the piece's start gives it).

    // IPv4: per /16 the run of pieces starting in it (index16), each piece's
    // start within its /16 (keys4: two bytes, so a /16's run is about a cache
    // line) and its info. Small arrays: on a full table a lookup misses the
    // cache about twice, where the engine's wider index and 8-byte pieces
    // (14 MiB) missed more often and pushed the IPv6 table out of the cache.
    // IPv6 high words have the sign bit flipped so that signed comparison
    // orders them as unsigned; low words are compared unsigned.
    private final int[] index16;
    private final char[] keys4;
    private final int[] infos4;
    private final long[] startsHi6;
    private final long[] startsLo6;
    private final int[] infos6;
    private final int shift6;
    // The IPv6 slice index as pairs: a slice's first piece, then 0 or the node
    // cutting that crowded slice by the next address bits (offset << 5 | bits);
    // a node's parts are pairs of nodes6 from offset, alike, down to parts of a
    // few pieces, so a search reads a line per level and a line or two at the end.
    private final int[] top6;
    private final int[] nodes6;
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
        data.get(magic, 0, Math.min(magic.length, data.remaining()));
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a cidrkit JVM table (no CIDRKJT1 magic)");
        }
        int[] starts4;
        int[] index4;
        int[] index6;
        try {
            rows = data.getInt();
            if (rows < 0 || rows > MAX_ROWS) {
                throw new IOException(file + " has " + Integer.toUnsignedString(rows)
                        + " rows; the JVM lookup takes at most " + MAX_ROWS);
            }
            int n4 = data.getInt();
            starts4 = ints(data, n4);
            infos4 = ints(data, n4);
            index4 = ints(data, data.getInt());
            indexBits(index4.length, file);
            int n6 = data.getInt();
            startsHi6 = longs(data, n6);
            startsLo6 = longs(data, n6);
            infos6 = ints(data, n6);
            index6 = ints(data, data.getInt());
            shift6 = 64 - indexBits(index6.length, file);
            int columns = data.getInt();
            if (columns < 1 || columns > data.remaining() / 12) {
                throw new IOException(file + " has " + columns + " columns: not a table cidrkit wrote");
            }
            columnNames = new String[columns];
            offsets = new int[columns][];
            values = new byte[columns][];
            for (int c = 0; c < columns; c++) {
                columnNames[c] = new String(bytes(data, data.getInt()), StandardCharsets.UTF_8);
                offsets[c] = ints(data, rows + 1);
                values[c] = bytes(data, Math.toIntExact(data.getLong()));
                checkOffsets(file, offsets[c], values[c].length);
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArithmeticException
                | NegativeArraySizeException e) {
            throw new IOException(file + " is cut short or damaged", e);
        }
        if (data.hasRemaining()) {
            throw new IOException(file + " has bytes after its last column");
        }
        checkPieces(file, infos4, index4, starts4.length);
        checkPieces(file, infos6, index6, startsHi6.length);
        if (starts4[0] != 0 || startsHi6[0] != 0 || startsLo6[0] != 0) {
            throw new IOException(file + " has a family whose first piece does not start at address 0");
        }
        int[] lengths = PrefixText.canonicalLengths(values[0], offsets[0], rows);
        keys4 = new char[starts4.length];
        index16 = new int[(1 << 16) + 1];
        for (int k = 0, slice = 0; k <= starts4.length; k++) {
            int top = k == starts4.length ? 1 << 16 : starts4[k] >>> 16;
            while (slice <= top) {
                index16[slice++] = k;
            }
            if (k < starts4.length) {
                keys4[k] = (char) starts4[k];
                infos4[k] = info(infos4[k], lengths, 32);
            }
        }
        for (int k = 0; k < infos6.length; k++) {
            infos6[k] = info(infos6[k], lengths, 128);
        }
        for (int k = 0; k < startsHi6.length; k++) {
            startsHi6[k] ^= Long.MIN_VALUE;
        }
        Nodes nodes = new Nodes(startsHi6);
        top6 = new int[2 * index6.length];
        for (int slice = 0; slice < index6.length; slice++) {
            top6[2 * slice] = index6[slice];
            if (slice + 1 < index6.length) {
                top6[2 * slice + 1] = nodes.cut(index6[slice], index6[slice + 1], 64 - shift6);
            }
        }
        nodes6 = nodes.done();
        slots = new byte[columnNames.length][];
        slotWidth = new int[columnNames.length];
        for (int c = 1; c < columnNames.length; c++) {
            packSlots(c);
        }
    }

    /** A piece's info: -1, or its owner row with the owner's prefix length (if written, not read). */
    private static int info(int owner, int[] lengths, int familyBits) {
        if (owner < 0) {
            return -1;
        }
        int code = lengths[owner];
        int length = code & 0xFF;
        // A text of the other family (which a table the engine wrote never has) is read, not written.
        boolean written = code >= 0 && (code >>> 8) == familyBits && length < FROM_TABLE;
        return owner | (written ? length : FROM_TABLE) << ROW_BITS | (familyBits == 128 ? V6_INFO : 0);
    }

    /** Every owner a row of the table, the index a run of positions from 0: else the file is damaged. */
    private void checkPieces(Path file, int[] owners, int[] index, int pieces) throws IOException {
        for (int owner : owners) {
            if (owner < -1 || owner >= rows) {
                throw new IOException(file + " names row " + owner + " of " + rows);
            }
        }
        boolean ordered = index[0] == 0 && index[index.length - 1] == pieces;
        for (int s = 1; s < index.length && ordered; s++) {
            ordered = index[s - 1] <= index[s];
        }
        if (pieces == 0 || !ordered) {
            throw new IOException(file + " has a slice index that does not cover its pieces in order");
        }
    }

    /** Parts of at most this many pieces are searched; larger ones are cut again. */
    private static final int LEAF = 32;
    /** A node cuts its part by at most this many more bits. */
    private static final int MAX_CUT_BITS = 16;

    /** The nodes cutting crowded IPv6 slices, built depth first into one array of pairs. */
    private static final class Nodes {
        private final long[] flippedHi;
        private int[] pairs = new int[1024];
        private int used;

        Nodes(long[] flippedHi) {
            this.flippedHi = flippedHi;
        }

        /**
         * The node for pieces {@code [low, high)}, which agree on their top
         * {@code skip} bits: 0 when they are few enough to search, else its
         * reference, one part per value of the next bits (about one piece each).
         */
        int cut(int low, int high, int skip) {
            int count = high - low;
            int bits = Math.min(Math.min(29 - Integer.numberOfLeadingZeros(count), MAX_CUT_BITS), 64 - skip);
            if (count <= LEAF || bits <= 0) {
                return 0;
            }
            int parts = 1 << bits;
            int offset = used;
            if (offset >= 1 << 26) {
                return 0; // past what a reference holds: search the part whole
            }
            reserve(parts + 1);
            int at = low;
            for (int part = 0; part < parts; part++) {
                while (at < high && partOf(flippedHi[at], skip, bits) < part) {
                    at++;
                }
                pairs[2 * (offset + part)] = at;
            }
            pairs[2 * (offset + parts)] = high;
            for (int part = 0; part < parts; part++) {
                int from = pairs[2 * (offset + part)];
                int to = pairs[2 * (offset + part + 1)];
                int child = cut(from, to, skip + bits);
                pairs[2 * (offset + part) + 1] = child;
            }
            return offset << 5 | bits;
        }

        private void reserve(int count) {
            used += count;
            if (2 * used > pairs.length) {
                pairs = java.util.Arrays.copyOf(pairs, Math.max(2 * pairs.length, 2 * used));
            }
        }

        int[] done() {
            return java.util.Arrays.copyOf(pairs, 2 * used);
        }
    }

    private static int partOf(long flippedHi, int skip, int bits) {
        return (int) (((flippedHi ^ Long.MIN_VALUE) << skip) >>> (64 - bits));
    }

    private void packSlots(int c) {
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

    /** Texts up to this long are kept in slots (a full IPv6 prefix is 43 characters). */
    private static final int MAX_SLOT = 64;

    private static int[] ints(ByteBuffer data, int n) {
        if (n < 0 || 4L * n > data.remaining()) {
            throw new java.nio.BufferUnderflowException(); // a count past the file's end
        }
        int[] out = new int[n];
        data.asIntBuffer().get(out);
        data.position(data.position() + 4 * n);
        return out;
    }

    private static byte[] bytes(ByteBuffer data, int n) {
        if (n < 0 || n > data.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        byte[] out = new byte[n];
        data.get(out);
        return out;
    }

    private static void checkOffsets(Path file, int[] offsets, int length) throws IOException {
        boolean ordered = offsets[0] == 0 && offsets[offsets.length - 1] == length;
        for (int k = 1; k < offsets.length && ordered; k++) {
            ordered = offsets[k - 1] <= offsets[k];
        }
        if (!ordered) {
            throw new IOException(file + " has a column whose value offsets are out of order");
        }
    }

    private static long[] longs(ByteBuffer data, int n) {
        if (n < 0 || 8L * n > data.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
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

    /**
     * The hit for the IPv4 address {@code address}: the address with the info
     * of the piece holding it, {@link #NO_MATCH} for none.
     */
    public long match4(int address) {
        int slice = address >>> 16;
        int low = index16[slice];
        int high = index16[slice + 1];
        char key = (char) address;
        // The last start at or below the address; a /16 holding none
        // continues the piece that began before it (boundary 0 is address 0).
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (keys4[mid] <= key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        int info = infos4[low - 1];
        return info == -1 ? NO_MATCH : ((long) address << 32) | (info & 0xFFFFFFFFL);
    }

    /** The hit for the IPv6 address {@code (hi, lo)}, as {@link #match4}. */
    public long match6(long hi, long lo) {
        int at = 2 * (int) (hi >>> shift6);
        int low = top6[at];
        int high = top6[at + 2];
        int node = top6[at + 1];
        int skip = 64 - shift6;
        while (node != 0) {
            // A crowded part: its part on the next address bits narrows the search.
            int bits = node & 31;
            at = 2 * ((node >>> 5) + (int) ((hi << skip) >>> (64 - bits)));
            low = nodes6[at];
            high = nodes6[at + 2];
            node = nodes6[at + 1];
            skip += bits;
        }
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
        int info = infos6[low - 1];
        return info == -1 ? NO_MATCH : ((long) (low - 1) << 32) | (info & 0xFFFFFFFFL);
    }

    /**
     * Whether {@code hit} is one this table may give (a match): any other long
     * is refused, not misread. An IPv4 hit is checked for a row and a length
     * (any address under them is a prefix of that row's length), an IPv6 hit
     * against its piece.
     */
    public boolean gave(long hit) {
        if (hit == NO_MATCH || hit == NOT_AN_ADDRESS) {
            return false;
        }
        int info = (int) hit;
        if (info >= 0) {
            int length = info >>> ROW_BITS;
            return (info & ROW_MASK) < rows && (length <= 32 || length == FROM_TABLE);
        }
        long piece = hit >>> 32;
        return info != -1 && piece < infos6.length && infos6[(int) piece] == info;
    }

    /** The row of a hit (a match, not {@link #NO_MATCH}). */
    public static int rowOf(long hit) {
        return (int) hit & ROW_MASK;
    }

    /**
     * The hit for {@code text}: {@link #NO_MATCH} for no match or an empty value,
     * {@link #NOT_AN_ADDRESS} for a value that is not an address.
     */
    public long match(AddressText reader, String text) {
        return answer(reader, reader.read(text));
    }

    /** As {@link #match(AddressText, String)}, for the UTF-8 text in {@code bytes[0, length)}. */
    public long match(AddressText reader, byte[] bytes, int length) {
        return answer(reader, reader.read(bytes, 0, length));
    }

    /** As {@link #match(AddressText, String)}, for the UTF-8 text in {@code bytes[from, from + length)}. */
    public long match(AddressText reader, byte[] bytes, int from, int length) {
        return answer(reader, reader.read(bytes, from, length));
    }

    private long answer(AddressText reader, int verdict) {
        switch (verdict) {
            case AddressText.V4:
                return match4((int) reader.lo);
            case AddressText.V6:
                return match6(reader.hi, reader.lo);
            case AddressText.EMPTY:
                return NO_MATCH;
            default:
                return NOT_AN_ADDRESS;
        }
    }

    /**
     * Write the matched prefix's text for {@code hit} into {@code out} at {@code at}
     * and return its length, or -1 when the table's own text must be used (a row
     * whose text is not the canonical one {@link PrefixText} writes). The network
     * is the address (IPv4) or the piece's start (IPv6) under the prefix's mask.
     */
    int writePrefix(long hit, byte[] out, int at) {
        int info = (int) hit;
        int length = (info >>> ROW_BITS) & 0x7F;
        if (length == FROM_TABLE) {
            return -1;
        }
        if (info >= 0) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return PrefixText.writeV4((int) (hit >>> 32) & mask, length, out, at);
        }
        int piece = (int) (hit >>> 32);
        long hi = startsHi6[piece] ^ Long.MIN_VALUE;
        long lo = length > 64 ? startsLo6[piece] & (-1L << (128 - length)) : 0;
        hi &= length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
        return PrefixText.writeV6(hi, lo, length, out, at);
    }

    /** {@code column}'s text for {@code row}, as stored. */
    String storedText(int column, int row) {
        int start = offsets[column][row];
        return new String(values[column], start, offsets[column][row + 1] - start, StandardCharsets.UTF_8);
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
        long bytes = 6L * keys4.length + 4L * (index16.length + infos6.length + top6.length);
        bytes += 16L * startsHi6.length + 4L * nodes6.length;
        for (int c = 0; c < values.length; c++) {
            bytes += 4L * offsets[c].length + values[c].length + (slots[c] == null ? 0 : slots[c].length);
        }
        return bytes;
    }
}
