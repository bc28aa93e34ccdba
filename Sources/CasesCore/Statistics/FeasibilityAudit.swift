/// What a reader of a two-way table knows: an interval for every cell and margin.
///
/// A one-way table is a grid with one column whose row margins are not published; a table with
/// no dimension is a 1 × 1 grid.
struct TableKnowledge: TableGrid, Equatable, Sendable {
    var cells: [[ClosedRange<Int>]]
    var rowSums: [ClosedRange<Int>]
    var columnSums: [ClosedRange<Int>]
    var total: ClosedRange<Int>

    var rowCount: Int { cells.count }
    var columnCount: Int { cells.first?.count ?? 0 }
}

/// One published number of a two-way table.
enum TableQuantity: Hashable, Sendable {
    case cell(Int, Int)
    case row(Int)
    case column(Int)
    case total
}

/// Exact feasible intervals for the numbers of a two-way table, given everything published.
///
/// The cells of a table with its row sums, column sums and total form a transportation problem:
/// a circulation source → row → column → sink → source with lower and upper bounds on every edge.
/// Its constraint matrix is totally unimodular, so the integer values a cell can take form an
/// interval whose ends a max-flow finds exactly. This is what an adversary with a perfect
/// linear-programming solver would compute; nothing coarser is used to decide that a cell is safe.
public enum FeasibilityAudit {
    /// Stands for "no upper bound known".
    public static let unbounded = 1 << 40

    /// Whether some integer table agrees with everything known.
    static func isFeasible(_ knowledge: TableKnowledge) -> Bool {
        let rows = knowledge.rowCount
        let columns = knowledge.columnCount
        // Nodes: rows, columns, source, sink, super source, super sink.
        let source = rows + columns, sink = source + 1, superSource = sink + 1, superSink = superSource + 1
        var network = FlowNetwork(nodeCount: superSink + 1)
        var excess = [Int](repeating: 0, count: superSink + 1)
        func edge(_ u: Int, _ v: Int, _ range: ClosedRange<Int>) -> Bool {
            let lo = max(0, range.lowerBound)
            let hi = min(unbounded, range.upperBound)
            guard lo <= hi else { return false }
            network.addEdge(from: u, to: v, capacity: hi - lo)
            excess[v] += lo
            excess[u] -= lo
            return true
        }
        for i in 0..<rows {
            guard edge(source, i, knowledge.rowSums[i]) else { return false }
            for j in 0..<columns {
                guard edge(i, rows + j, knowledge.cells[i][j]) else { return false }
            }
        }
        for j in 0..<columns {
            guard edge(rows + j, sink, knowledge.columnSums[j]) else { return false }
        }
        guard edge(sink, source, knowledge.total) else { return false }
        var demand = 0
        for v in 0..<superSource where excess[v] != 0 {
            if excess[v] > 0 {
                network.addEdge(from: superSource, to: v, capacity: excess[v])
                demand += excess[v]
            } else {
                network.addEdge(from: v, to: superSink, capacity: -excess[v])
            }
        }
        return network.maxFlow(from: superSource, to: superSink) == demand
    }

    /// Whether `quantity` can take the value `value` in some table that agrees with what is known.
    static func canTake(_ value: Int, _ quantity: TableQuantity, in knowledge: TableKnowledge) -> Bool {
        let known = knowledge[quantity]
        guard known.contains(value) else { return false }
        var fixed = knowledge
        fixed[quantity] = value...value
        return isFeasible(fixed)
    }

    /// Every value `quantity` can take given what is known, or nil if nothing fits.
    static func feasibleRange(of quantity: TableQuantity, in knowledge: TableKnowledge) -> ClosedRange<Int>? {
        guard isFeasible(knowledge) else { return nil }
        let known = knowledge[quantity]
        // The feasible set is an interval (total unimodularity): binary search both ends.
        func search(_ lo: Int, _ hi: Int, lowest: Bool) -> Int {
            var (a, b) = (lo, hi)
            while a < b {
                let mid = lowest ? a + (b - a) / 2 : a + (b - a + 1) / 2
                var narrowed = knowledge
                narrowed[quantity] = lowest ? known.lowerBound...mid : mid...known.upperBound
                if isFeasible(narrowed) {
                    if lowest { b = mid } else { a = mid }
                } else {
                    if lowest { a = mid + 1 } else { b = mid - 1 }
                }
            }
            return a
        }
        let clampedUpper = min(known.upperBound, unbounded)
        let low = search(max(0, known.lowerBound), clampedUpper, lowest: true)
        let high = search(low, clampedUpper, lowest: false)
        return low...high
    }
}

/// Dinic's maximum flow on a small graph.
struct FlowNetwork {
    private struct Edge {
        var to: Int
        var capacity: Int
        var reverse: Int
    }

    private var adjacency: [[Edge]]

    init(nodeCount: Int) {
        adjacency = Array(repeating: [], count: nodeCount)
    }

    mutating func addEdge(from u: Int, to v: Int, capacity: Int) {
        adjacency[u].append(Edge(to: v, capacity: capacity, reverse: adjacency[v].count))
        adjacency[v].append(Edge(to: u, capacity: 0, reverse: adjacency[u].count - 1))
    }

    mutating func maxFlow(from s: Int, to t: Int) -> Int {
        var flow = 0
        while true {
            var level = [Int](repeating: -1, count: adjacency.count)
            level[s] = 0
            var queue = [s]
            var head = 0
            while head < queue.count {
                let u = queue[head]
                head += 1
                for e in adjacency[u] where e.capacity > 0 && level[e.to] < 0 {
                    level[e.to] = level[u] + 1
                    queue.append(e.to)
                }
            }
            guard level[t] >= 0 else { return flow }
            var next = [Int](repeating: 0, count: adjacency.count)
            while true {
                let pushed = augment(s, t, Int.max, &level, &next)
                if pushed == 0 { break }
                flow += pushed
            }
        }
    }

    private mutating func augment(_ u: Int, _ t: Int, _ limit: Int, _ level: inout [Int], _ next: inout [Int]) -> Int {
        if u == t { return limit }
        while next[u] < adjacency[u].count {
            let e = adjacency[u][next[u]]
            if e.capacity > 0 && level[e.to] == level[u] + 1 {
                let pushed = augment(e.to, t, min(limit, e.capacity), &level, &next)
                if pushed > 0 {
                    adjacency[u][next[u]].capacity -= pushed
                    adjacency[e.to][e.reverse].capacity += pushed
                    return pushed
                }
            }
            next[u] += 1
        }
        return 0
    }
}
