/// Which cases `list` shows.
public struct CaseFilter: Sendable {
    public var stage: Stage?
    public var destination: String?
    public var segment: Segment?
    public var overdue = false

    public init(stage: Stage? = nil, destination: String? = nil, segment: Segment? = nil, overdue: Bool = false) {
        self.stage = stage
        self.destination = destination
        self.segment = segment
        self.overdue = overdue
    }

    func matches(_ c: CaseSummary, today: ISODate) -> Bool {
        if let s = stage, c.stage != s { return false }
        if let d = destination, c.destination != d { return false }
        if let s = segment, c.segment != s { return false }
        if overdue && c.overdueReasons(today: today).isEmpty { return false }
        return true
    }
}
