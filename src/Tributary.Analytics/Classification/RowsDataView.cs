using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tributary.Analytics.Classification;

/// <summary>
/// An ML.NET data view straight over rows the caller already holds: a "Features" vector column copied from each row and
/// a "Label" column read from a list, with no per-row objects. <c>LoadFromEnumerable</c> builds a row object per
/// customer and reads it through reflection-made getters; LightGBM's trainer reads the view twice (bin sampling, then the
/// dataset), so that cost was paid twice per training.
/// </summary>
/// <typeparam name="TLabel">bool for a classifier, float for a regressor.</typeparam>
internal sealed class RowsDataView<TLabel> : IDataView
{
    private readonly IReadOnlyList<float[]> _rows;
    private readonly IReadOnlyList<TLabel> _labels;
    private readonly int _width;

    /// <summary>A view of rows of <paramref name="width"/> features and their labels (equal counts).</summary>
    public RowsDataView(IReadOnlyList<float[]> rows, IReadOnlyList<TLabel> labels, int width)
    {
        if (rows.Count != labels.Count) throw new ArgumentException("rows and labels differ in count.", nameof(labels));
        (_rows, _labels, _width) = (rows, labels, width);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, width));
        schema.AddColumn("Label", typeof(TLabel) == typeof(bool) ? BooleanDataViewType.Instance : NumberDataViewType.Single);
        Schema = schema.ToSchema();
    }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => _rows.Count;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(RowsDataView<TLabel> view) : DataViewRowCursor
    {
        private int _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < view._rows.Count;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 0)
            {
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, view._width);
                    view._rows[_position].AsSpan().CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)features;
            }
            ValueGetter<TLabel> label = (ref TLabel value) => value = view._labels[_position];
            return (ValueGetter<TValue>)(Delegate)label;
        }
    }
}
