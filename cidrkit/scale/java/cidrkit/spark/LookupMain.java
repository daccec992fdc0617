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
 * cidrkit-spark.jar cidrkit.spark.LookupMain TABLE} reads values from stdin,
 * each as a big-endian u32 byte length and UTF-8 bytes (so a value may hold
 * any character, line breaks included), and answers each with its row on a
 * line of its own: the owner row, -1 for none, -2 for not an address.
 */
public final class LookupMain {
    private LookupMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LookupMain TABLE");
            System.exit(2);
        }
        RangeTable table = RangeTable.read(Path.of(args[0]));
        AddressText reader = new AddressText();
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, StandardCharsets.US_ASCII);
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException end) {
                break;
            }
            if (length < 0) {
                // A negative length asks for the answers so far to be written out.
                out.flush();
                continue;
            }
            byte[] value = new byte[length];
            in.readFully(value);
            out.println(table.lookup(reader, new String(value, StandardCharsets.UTF_8)));
        }
        out.flush();
    }
}
