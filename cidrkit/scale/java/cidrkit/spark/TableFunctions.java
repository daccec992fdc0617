package cidrkit.spark;

import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.internal.SessionState;
import scala.Function1;
import scala.collection.immutable.Seq;

/**
 * Spark SQL functions over a cidrkit table shipped with {@code SparkContext.addFile}.
 *
 * <p>They are Catalyst expressions ({@link MatchExpressions}), not UDFs: a UDF
 * gets each value as a Java String and hands back Strings that Spark encodes
 * again, which cost more than the lookup itself. The expressions read the
 * address's UTF-8 bytes where Spark keeps them and answer with the table's own
 * bytes. They travel to executors as small objects naming the file and its
 * content key; the table itself is read from the executor's copy of the file
 * once per JVM ({@link RangeTable#shared}). Nulls give null; a value that is
 * not an address gives null, as no match does: SQL functions never fail on data.
 */
public final class TableFunctions {
    private TableFunctions() {}

    /** Register {@code name(address) -> int}: the row of the longest matching prefix. */
    public static void registerRow(SparkSession spark, String name, String fileName, String key) {
        TableFile file = new TableFile(fileName, key);
        register(spark, name, args -> new MatchExpressions.AddressRow(only(name, args), file, name));
    }

    /** Register {@code name(address) -> string}: column {@code column} of the matched row. */
    public static void registerColumn(
            SparkSession spark, String name, String fileName, String key, int column) {
        TableFile file = new TableFile(fileName, key);
        register(spark, name, args -> new MatchExpressions.HitText(
                new MatchExpressions.AddressHit(only(name, args), file, name), file, column, name));
    }

    /** Register {@code name(address) -> long}: the match as a hit, for {@link #registerHitColumn}. */
    public static void registerHit(SparkSession spark, String name, String fileName, String key) {
        TableFile file = new TableFile(fileName, key);
        register(spark, name, args -> new MatchExpressions.AddressHit(only(name, args), file, name));
    }

    /** Register {@code name(hit) -> string}: column {@code column} for a hit found before. */
    public static void registerHitColumn(
            SparkSession spark, String name, String fileName, String key, int column) {
        TableFile file = new TableFile(fileName, key);
        register(spark, name, args -> new MatchExpressions.HitText(only(name, args), file, column, name));
    }

    private static Expression only(String name, Seq<Expression> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(name + " takes one argument, not " + args.size());
        }
        return args.head();
    }

    private static void register(SparkSession spark, String name, Function1<Seq<Expression>, Expression> builder) {
        FunctionRegistry registry = sessionState(spark).functionRegistry();
        registry.createOrReplaceTempFunction(name, builder, "java_udf");
    }

    /**
     * The session's state. {@code sessionState} is a method of the classic session
     * class, whose package moved in Spark 4; reflection reaches it in both.
     */
    private static SessionState sessionState(SparkSession spark) {
        try {
            return (SessionState) spark.getClass().getMethod("sessionState").invoke(spark);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cidrkit needs a classic Spark session (not Spark Connect)", e);
        }
    }

    /** Where a function finds its table: the shipped file's name and its content key. */
    static final class TableFile implements Serializable {
        private static final long serialVersionUID = 1L;
        final String fileName;
        final String key;

        TableFile(String fileName, String key) {
            this.fileName = fileName;
            this.key = key;
        }

        RangeTable table() {
            return RangeTable.shared(key, Path.of(SparkFiles.get(fileName)));
        }

        @Override
        public String toString() {
            return "table " + key;
        }
    }
}
