package cidrkit.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeBlock;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.expressions.codegen.JavaCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.List$;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Catalyst expressions behind cidrkit's Spark SQL functions.
 *
 * <p>{@link AddressHit} turns an address text into its <em>hit</em> (a long:
 * the matched piece with its owner row and prefix length, see
 * {@link RangeTable}), reading the text's UTF-8 bytes as Spark holds them;
 * {@link HitText} turns a hit into one output column's text: the prefix is
 * written from the hit (no read from the table's texts), a label is a view
 * of the table's bytes (nothing copied until Spark writes the row);
 * {@link AddressRow} gives the table row. Each instance is used by one task's
 * thread, so the reader's scratch state needs no lock; the table is shared
 * and read-only.
 */
public final class MatchExpressions {
    private MatchExpressions() {}

    /**
     * One child, nulls passed through, code generated as a call of {@link #call}
     * on the expression object. Written in Java, an expression cannot extend
     * Spark's {@code UnaryExpression}, whose Scala signatures javac rejects, so
     * the little it gives is written out here.
     */
    abstract static class OneChild extends Expression implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final Expression child;
        final String name;

        OneChild(Expression child, String name) {
            this.child = child;
            this.name = name;
        }

        abstract Object nullSafeEval(Object input);

        abstract Expression withChild(Expression newChild);

        abstract DataType inputType();

        @Override
        public Object eval(InternalRow row) {
            Object input = child.eval(row);
            return input == null ? null : nullSafeEval(input);
        }

        /** The Java type of the result in generated code, and the call giving it from the child's value. */
        abstract String javaType();

        abstract String call(String self, String input);

        /** The generated test of {@code value} for the call's "none", which makes the result null. */
        String none(String value) {
            return javaType().equals("int") ? value + " < 0" : value + " == null";
        }

        /**
         * {@code value = self.call(input)} when the child is not null; null when the
         * child is null or the call gives its "none" (a negative number, a null text).
         */
        @Override
        public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
            ExprCode input = child.genCode(ctx);
            String self = ctx.addReferenceObj("cidrkit", this, getClass().getCanonicalName());
            boolean primitive = javaType().equals("int") || javaType().equals("long");
            String none = none(ev.value().toString());
            String code = input.code() + "\n"
                    + "boolean " + ev.isNull() + " = true;\n"
                    + javaType() + " " + ev.value() + " = " + (primitive ? "-1" : "null") + ";\n"
                    + "if (!" + input.isNull() + ") {\n"
                    + "  " + ev.value() + " = " + call(self, input.value().toString()) + ";\n"
                    + "  " + ev.isNull() + " = " + none + ";\n"
                    + "}\n";
            Seq<String> parts = CollectionConverters.asScala(java.util.List.of(code)).toList();
            Seq<JavaCode> inputs = List$.MODULE$.<JavaCode>empty();
            return ev.copy(new CodeBlock(parts, inputs), ev.isNull(), ev.value());
        }

        @Override
        public TypeCheckResult checkInputDataTypes() {
            if (child.dataType().sameType(inputType())) {
                return TypeCheckResult.TypeCheckSuccess$.MODULE$;
            }
            return new TypeCheckResult.TypeCheckFailure(name + " reads " + inputType().simpleString()
                    + ", not " + child.dataType().simpleString());
        }

        @Override
        public Seq<Expression> children() {
            return List$.MODULE$.<Expression>empty().$colon$colon(child);
        }

        @Override
        public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
            return withChild(newChildren.head());
        }

        @Override
        public boolean nullable() {
            return true;
        }

        @Override
        public String prettyName() {
            return name;
        }

        @Override
        public int productArity() {
            return 1;
        }

        @Override
        public Object productElement(int n) {
            if (n != 0) {
                throw new IndexOutOfBoundsException(n);
            }
            return child;
        }

        @Override
        public boolean canEqual(Object other) {
            return other != null && other.getClass() == getClass();
        }
    }

    /** {@code name(address) -> long}: the hit; null for no match, a null, or not an address. */
    public static final class AddressHit extends OneChild {
        private static final long serialVersionUID = 1L;
        private final TableFunctions.TableFile file;
        private transient RangeTable table;
        private transient AddressText reader;

        AddressHit(Expression child, TableFunctions.TableFile file, String name) {
            super(child, name);
            this.file = file;
        }

        /** The hit for {@code address}, or {@link RangeTable#NO_MATCH} (no match, or not an address). */
        public long hitOf(UTF8String address) {
            if (table == null) {
                table = file.table();
                reader = new AddressText();
            }
            int length = address.numBytes();
            byte[] buffer = reader.buffer();
            long hit;
            Object base = address.getBaseObject();
            if (base instanceof byte[]) {
                // On the heap (Spark's default column vectors and rows): read in place.
                int from = Math.toIntExact(address.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET);
                hit = table.match(reader, (byte[]) base, from, length);
            } else if (length > buffer.length) {
                hit = table.match(reader, address.toString());
            } else {
                address.writeToMemory(buffer, Platform.BYTE_ARRAY_OFFSET);
                hit = table.match(reader, buffer, length);
            }
            return hit == RangeTable.NOT_AN_ADDRESS ? RangeTable.NO_MATCH : hit;
        }

        @Override
        Object nullSafeEval(Object input) {
            long hit = hitOf((UTF8String) input);
            return hit == RangeTable.NO_MATCH ? null : hit;
        }

        // A hit may be negative (an IPv4 address from 128.0.0.0 in its high half): only -1 is none.
        @Override
        String none(String value) {
            return value + " == " + RangeTable.NO_MATCH + "L";
        }

        @Override
        DataType inputType() {
            return DataTypes.StringType;
        }

        @Override
        String javaType() {
            return "long";
        }

        @Override
        String call(String self, String input) {
            return self + ".hitOf(" + input + ")";
        }

        @Override
        public DataType dataType() {
            return DataTypes.LongType;
        }

        @Override
        Expression withChild(Expression newChild) {
            return new AddressHit(newChild, file, name);
        }
    }

    /** {@code name(address) -> int}: the owner row; null for no match, a null, or not an address. */
    public static final class AddressRow extends OneChild {
        private static final long serialVersionUID = 1L;
        private final AddressHit hit;

        AddressRow(Expression child, TableFunctions.TableFile file, String name) {
            super(child, name);
            this.hit = new AddressHit(child, file, name);
        }

        /** The row for {@code address}, or -1 (no match, or not an address). */
        public int rowOf(UTF8String address) {
            long found = hit.hitOf(address);
            return found == RangeTable.NO_MATCH ? -1 : RangeTable.rowOf(found);
        }

        @Override
        Object nullSafeEval(Object input) {
            int row = rowOf((UTF8String) input);
            return row < 0 ? null : row;
        }

        @Override
        DataType inputType() {
            return DataTypes.StringType;
        }

        @Override
        String javaType() {
            return "int";
        }

        @Override
        String call(String self, String input) {
            return self + ".rowOf(" + input + ")";
        }

        @Override
        public DataType dataType() {
            return DataTypes.IntegerType;
        }

        @Override
        Expression withChild(Expression newChild) {
            return new AddressRow(newChild, hit.file, name);
        }
    }

    /** {@code name(hit) -> string}: one output column's text for a hit; null for null. */
    public static final class HitText extends OneChild {
        private static final long serialVersionUID = 1L;
        // Prefix texts are written into chunks of this many bytes, one after the
        // other; a full chunk is left to the texts viewing it and a new one begun.
        private static final int CHUNK = 1 << 16;
        private final TableFunctions.TableFile file;
        private final int column;
        private transient RangeTable table;
        private transient byte[] values;
        private transient int[] offsets;
        private transient byte[] slots;
        private transient int width;
        private transient byte[] chunk;
        private transient int used;

        HitText(Expression child, TableFunctions.TableFile file, int column, String name) {
            super(child, name);
            this.file = file;
            this.column = column;
        }

        // name(address), not name(name(address)), when the hit comes from an address.
        @Override
        public String sql() {
            Expression shown = child instanceof AddressHit ? ((AddressHit) child).child : child;
            return name + "(" + shown.sql() + ")";
        }

        @Override
        public String toString() {
            Expression shown = child instanceof AddressHit ? ((AddressHit) child).child : child;
            return name + "(" + shown + ")";
        }

        @Override
        Object nullSafeEval(Object input) {
            return textOf((Long) input);
        }

        /** The text for {@code hit}; null for a hit this table never gave. */
        public UTF8String textOf(long hit) {
            if (table == null) {
                table = file.table();
                values = table.values(column);
                offsets = table.offsets(column);
                slots = table.slots(column);
                width = table.slotWidth(column);
                chunk = new byte[CHUNK];
            }
            if (!table.gave(hit)) {
                return null;
            }
            if (column == 0) {
                if (chunk.length - used < PrefixText.LONGEST) {
                    chunk = new byte[CHUNK];
                    used = 0;
                }
                int length = table.writePrefix(hit, chunk, used);
                if (length >= 0) {
                    UTF8String text = UTF8String.fromBytes(chunk, used, length);
                    used += length;
                    return text;
                }
            }
            int row = RangeTable.rowOf(hit);
            if (slots != null) {
                int at = row * width;
                return UTF8String.fromBytes(slots, at + 1, slots[at] & 0xFF);
            }
            int start = offsets[row];
            return UTF8String.fromBytes(values, start, offsets[row + 1] - start);
        }

        @Override
        DataType inputType() {
            return DataTypes.LongType;
        }

        @Override
        String javaType() {
            return UTF8String.class.getName();
        }

        @Override
        String call(String self, String input) {
            return self + ".textOf(" + input + ")";
        }

        @Override
        public DataType dataType() {
            return DataTypes.StringType;
        }

        @Override
        Expression withChild(Expression newChild) {
            return new HitText(newChild, file, column, name);
        }
    }
}
