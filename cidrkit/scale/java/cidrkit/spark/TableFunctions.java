package cidrkit.spark;

import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Spark SQL functions over a cidrkit table shipped with {@code SparkContext.addFile}.
 *
 * <p>The functions travel to executors as small objects naming the file and its
 * content key; the table itself is read from the executor's copy of the file
 * once per JVM ({@link RangeTable#shared}). Nulls give null; a value that is not
 * an address gives null, as no match does: SQL functions never fail on data.
 */
public final class TableFunctions {
    private TableFunctions() {}

    /** Register {@code name(address) -> int}: the row of the longest matching prefix. */
    public static void registerRow(SparkSession spark, String name, String fileName, String key) {
        spark.udf().register(name, new AddressRow(new TableFile(fileName, key)), DataTypes.IntegerType);
    }

    /** Register {@code name(address) -> string}: column {@code column} of the matched row. */
    public static void registerColumn(
            SparkSession spark, String name, String fileName, String key, int column) {
        spark.udf().register(
                name, new AddressColumn(new TableFile(fileName, key), column), DataTypes.StringType);
    }

    /** Register {@code name(row) -> string}: column {@code column} of a row found before. */
    public static void registerRowColumn(
            SparkSession spark, String name, String fileName, String key, int column) {
        spark.udf().register(
                name, new RowColumn(new TableFile(fileName, key), column), DataTypes.StringType);
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
    }

    static final class AddressRow implements UDF1<String, Integer> {
        private static final long serialVersionUID = 1L;
        private final TableFile file;
        private transient RangeTable table;
        private transient AddressText reader;

        AddressRow(TableFile file) {
            this.file = file;
        }

        @Override
        public Integer call(String address) {
            if (address == null) {
                return null;
            }
            if (table == null) {
                table = file.table();
                reader = new AddressText();
            }
            int row = table.lookup(reader, address);
            return row < 0 ? null : row;
        }
    }

    static final class AddressColumn implements UDF1<String, String> {
        private static final long serialVersionUID = 1L;
        private final TableFile file;
        private final int column;
        private transient RangeTable table;
        private transient AddressText reader;

        AddressColumn(TableFile file, int column) {
            this.file = file;
            this.column = column;
        }

        @Override
        public String call(String address) {
            if (address == null) {
                return null;
            }
            if (table == null) {
                table = file.table();
                reader = new AddressText();
            }
            int row = table.lookup(reader, address);
            return row < 0 ? null : table.text(column, row);
        }
    }

    static final class RowColumn implements UDF1<Integer, String> {
        private static final long serialVersionUID = 1L;
        private final TableFile file;
        private final int column;
        private transient RangeTable table;

        RowColumn(TableFile file, int column) {
            this.file = file;
            this.column = column;
        }

        @Override
        public String call(Integer row) {
            if (row == null) {
                return null;
            }
            if (table == null) {
                table = file.table();
            }
            if (row < 0 || row >= table.rows()) {
                return null;
            }
            return table.text(column, row);
        }
    }
}
