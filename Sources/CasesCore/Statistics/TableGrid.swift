/// A two-way table's numbers with its margins, whatever is held per number (a published count,
/// or the interval a reader knows), addressed by `TableQuantity`.
protocol TableGrid {
    associatedtype Number
    var cells: [[Number]] { get set }
    var rowSums: [Number] { get set }
    var columnSums: [Number] { get set }
    var total: Number { get set }
}

extension TableGrid {
    subscript(_ q: TableQuantity) -> Number {
        get {
            switch q {
            case .cell(let i, let j): return cells[i][j]
            case .row(let i): return rowSums[i]
            case .column(let j): return columnSums[j]
            case .total: return total
            }
        }
        set {
            switch q {
            case .cell(let i, let j): cells[i][j] = newValue
            case .row(let i): rowSums[i] = newValue
            case .column(let j): columnSums[j] = newValue
            case .total: total = newValue
            }
        }
    }
}
