/// Several events of one case sealed as one row of the event log: an imported case's opening
/// and each step of its past, written together in one transaction.
///
/// The events keep their own numbers: a row numbered `seq` holding `n` events holds events
/// `seq - n + 1 … seq`, so the numbers `history` shows and a case's ``CaseFile/eventSeqs``
/// are the same as if each event had its own row, and the log stays gapless. The row is
/// sealed and MAC-chained like any other, under its own number; `n` is inside the sealed
/// bytes. An imported case's events are one row rather than one each because rows are the
/// import's cost (measured: 6.8 s → 5.7 s for 100,000 cases).
///
/// What the file shows does not change: the gap between two rows' numbers tells how many
/// events the later row holds, which the rows' sizes told before (an opening is sealed in a
/// larger bucket than a stage change, so one imported case read as one large row and a run of
/// small ones).
struct EventGroup: BinaryRecord, Equatable {
    static var marker: UInt8 { 0x03 }
    var events: [CaseEvent]

    init(events: [CaseEvent]) { self.events = events }

    init(reading r: inout RecordReader) throws {
        events = try required(r.list())
        guard !events.isEmpty else { throw RecordMalformed() }
    }

    func write(to w: inout RecordWriter) { w.list(events) }
}
