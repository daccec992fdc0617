package cidrkit.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The matcher without Spark, for checking it against cidrkit: {@code java -cp
 * cidrkit-spark.jar cidrkit.spark.LookupMain [TABLE]} reads values from stdin,
 * each as a big-endian i32 byte length and UTF-8 bytes (so a value may hold
 * any character, line breaks included), and answers each on a line of its
 * own: -1 for no match, -2 for not an address, or the owner row, a tab and the
 * matched prefix's text as a Spark query gets it (written from the hit, or the
 * table's stored text where the row's is not the canonical form). A length
 * of -1 flushes the answers so far; -2 is followed by a table file's path (as a
 * value is) and switches to that table.
 */
public final class LookupMain {
    private LookupMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 1) {
            System.err.println("usage: LookupMain [TABLE]");
            System.exit(2);
        }
        RangeTable table = args.length == 1 ? readOrExit(args[0]) : null;
        AddressText reader = new AddressText();
        byte[] prefix = new byte[PrefixText.LONGEST];
        long values = 0;
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, StandardCharsets.US_ASCII);
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException end) {
                break;
            }
            if (length == -1) {
                out.flush();
                continue;
            }
            if (length == -2) {
                table = readOrExit(text(in, in.readInt()));
                continue;
            }
            if (table == null) {
                System.err.println("LookupMain: a value before any table");
                System.exit(2);
            }
            // Every value read in place inside a larger array (as Spark's expressions read
            // values on the heap); short values also through the reader's buffer (off-heap
            // values), the others through the String path: all must agree.
            byte[] inPlace = new byte[length + 5];
            in.readFully(inPlace, 3, length);
            long hit = table.match(reader, inPlace, 3, length);
            byte[] value = reader.buffer().length >= length ? reader.buffer() : new byte[length];
            System.arraycopy(inPlace, 3, value, 0, length);
            long again = value == reader.buffer()
                    ? table.match(reader, value, length)
                    : table.match(reader, new String(value, 0, length, StandardCharsets.UTF_8));
            if (again != hit) {
                System.err.println("LookupMain: value " + values + " read in place gives " + hit
                        + ", copied " + again);
                System.exit(3);
            }
            values++;
            if (hit == RangeTable.NO_MATCH || hit == RangeTable.NOT_AN_ADDRESS) {
                out.println(hit);
                continue;
            }
            int written = table.writePrefix(hit, prefix, 0);
            String text = written >= 0
                    ? new String(prefix, 0, written, StandardCharsets.US_ASCII)
                    : table.storedText(0, RangeTable.rowOf(hit));
            out.println(RangeTable.rowOf(hit) + "\t" + text);
        }
        out.flush();
    }

    private static RangeTable readOrExit(String path) {
        try {
            return RangeTable.read(Path.of(path));
        } catch (IOException e) {
            System.err.println("LookupMain: " + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    private static String text(DataInputStream in, int length) throws IOException {
        byte[] value = new byte[length];
        in.readFully(value);
        return new String(value, StandardCharsets.UTF_8);
    }
}
