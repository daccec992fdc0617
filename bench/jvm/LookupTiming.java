package cidrkit.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kernel timing of the JVM lookup, one thread, no Spark: per address, the
 * time to read its text, to read and match it, and to read, match and write
 * the prefix text, best of seven passes. Compiled beside the jar (same
 * package, for the table's package-private text writer) by
 * {@code bench/bench_jvm_kernel.py}: {@code LookupTiming TABLE FILE...}, each
 * FILE holding one address per line.
 */
public final class LookupTiming {
    private LookupTiming() {}

    public static void main(String[] args) throws Exception {
        long loading = System.nanoTime();
        RangeTable table = RangeTable.read(Path.of(args[0]));
        System.out.printf("table loaded in %.2f s, %.1f MiB of arrays%n",
                (System.nanoTime() - loading) / 1e9, table.heapBytes() / 1048576.0);
        AddressText reader = new AddressText();
        byte[] out = new byte[1 << 16];
        for (int f = 1; f < args.length; f++) {
            List<String> lines = Files.readAllLines(Path.of(args[f]));
            byte[][] values = new byte[lines.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
            }
            long read = Long.MAX_VALUE;
            long match = Long.MAX_VALUE;
            long text = Long.MAX_VALUE;
            long sink = 0; // consumed, so the JIT cannot drop the work
            for (int pass = 0; pass < 7; pass++) {
                long t0 = System.nanoTime();
                for (byte[] v : values) {
                    sink += reader.read(v, v.length) + reader.lo;
                }
                long t1 = System.nanoTime();
                for (byte[] v : values) {
                    sink += table.match(reader, v, v.length);
                }
                long t2 = System.nanoTime();
                int used = 0;
                for (byte[] v : values) {
                    long hit = table.match(reader, v, v.length);
                    if (table.gave(hit)) {
                        used = used > out.length - PrefixText.LONGEST ? 0 : used;
                        used += Math.max(table.writePrefix(hit, out, used), 0);
                    }
                }
                long t3 = System.nanoTime();
                read = Math.min(read, t1 - t0);
                match = Math.min(match, t2 - t1);
                text = Math.min(text, t3 - t2);
                sink += used;
            }
            double n = values.length;
            System.out.printf("%s (%,d addresses): read %.1f ns, read+match %.1f ns,"
                    + " read+match+prefix text %.1f ns per address [%d]%n",
                    Path.of(args[f]).getFileName(), values.length, read / n, match / n, text / n, sink & 1);
        }
    }
}
