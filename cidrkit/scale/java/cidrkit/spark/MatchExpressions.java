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
 * The two Catalyst expressions behind cidrkit's Spark SQL functions.
 *
 * <p>{@link AddressRow} turns an address text into the table row of its longest
 * match, reading the text's UTF-8 bytes as Spark holds them; {@link RowText}
 * turns a row into one output column's text, a view of the table's bytes
 * (nothing copied until Spark writes the row). Each instance is used by one
 * task's thread, so the reader's scratch state needs no lock; the table is
 * shared and read-only.
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

        /**
         * {@code value = self.call(input)} when the child is not null; null when the
         * child is null or the call gives its "none" (a negative row, a null text).
         */
        @Override
        public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
            ExprCode input = child.genCode(ctx);
            String self = ctx.addReferenceObj("cidrkit", this, getClass().getCanonicalName());
            String none = javaType().equals("int") ? ev.value() + " < 0" : ev.value() + " == null";
            String code = input.code() + "\n"
                    + "boolean " + ev.isNull() + " = true;\n"
                    + javaType() + " " + ev.value() + " = " + (javaType().equals("int") ? "-1" : "null") + ";\n"
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

    /** {@code name(address) -> int}: the owner row; null for no match, a null, or not an address. */
    public static final class AddressRow extends OneChild {
        private static final long serialVersionUID = 1L;
        private final TableFunctions.TableFile file;
        private transient RangeTable table;
        private transient AddressText reader;

        AddressRow(Expression child, TableFunctions.TableFile file, String name) {
            super(child, name);
            this.file = file;
        }

        /** The row for {@code address}, or -1 (no match, or not an address). */
        public int rowOf(UTF8String address) {
            if (table == null) {
                table = file.table();
                reader = new AddressText();
            }
            int length = address.numBytes();
            byte[] buffer = reader.buffer();
            if (length > buffer.length) {
                return Math.max(table.lookup(reader, address.toString()), -1);
            }
            address.writeToMemory(buffer, Platform.BYTE_ARRAY_OFFSET);
            return Math.max(table.lookup(reader, buffer, length), -1);
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
            return new AddressRow(newChild, file, name);
        }
    }

    /** {@code name(row) -> string}: one output column's text for a row; null for null. */
    public static final class RowText extends OneChild {
        private static final long serialVersionUID = 1L;
        private final TableFunctions.TableFile file;
        private final int column;
        private transient byte[] values;
        private transient int[] offsets;
        private transient byte[] slots;
        private transient int width;

        RowText(Expression child, TableFunctions.TableFile file, int column, String name) {
            super(child, name);
            this.file = file;
            this.column = column;
        }

        // name(address), not name(name(address)), when the row comes from an address.
        @Override
        public String sql() {
            Expression shown = child instanceof AddressRow ? ((AddressRow) child).child : child;
            return name + "(" + shown.sql() + ")";
        }

        @Override
        public String toString() {
            Expression shown = child instanceof AddressRow ? ((AddressRow) child).child : child;
            return name + "(" + shown + ")";
        }

        @Override
        Object nullSafeEval(Object input) {
            return textOf((Integer) input);
        }

        /** The text of {@code row}, a view of the table's bytes; null for a row out of range. */
        public UTF8String textOf(int row) {
            if (values == null) {
                RangeTable table = file.table();
                values = table.values(column);
                offsets = table.offsets(column);
                slots = table.slots(column);
                width = table.slotWidth(column);
            }
            if (row < 0 || row >= offsets.length - 1) {
                return null;
            }
            if (slots != null) {
                int at = row * width;
                return UTF8String.fromBytes(slots, at + 1, slots[at] & 0xFF);
            }
            int start = offsets[row];
            return UTF8String.fromBytes(values, start, offsets[row + 1] - start);
        }

        @Override
        DataType inputType() {
            return DataTypes.IntegerType;
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
            return new RowText(newChild, file, column, name);
        }
    }
}
