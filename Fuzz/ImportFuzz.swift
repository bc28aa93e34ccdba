// libFuzzer target for `cases import` parsing: the JSONL reader (DocumentReader) or, built with
// -D FUZZ_CSV, the CSV reader (CSV.swift + CSVCaseLayout), then CaseValidator on every document
// that decodes; the fast line reader against Foundation's decoder on every line; and the binary
// readers of sealed summaries, events, event groups and snapshots on the raw input. Built by Fuzz/run.sh from the CasesCore sources that do not need GRDB, in one
// module so internals are reachable. Not part of the Swift package.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One unlinked file in RAM reused for every input, reached through /proc like any path.
private let memoryFile: (fd: Int32, path: String) = {
    let name = "/dev/shm/cases-import-fuzz-\(getpid())"
    let fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
    precondition(fd >= 0)
    unlink(name)
    return (fd, "/proc/self/fd/\(fd)")
}()

private let validator = CaseValidator(today: ISODate("2024-06-01")!)

@_cdecl("LLVMFuzzerTestOneInput")
public func importFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The sealed summary's reader, on the same bytes: `list` trusts it only after the AEAD tag
    // verified, but it must still refuse anything malformed without crashing.
    if let summary = try? CaseSummary(decoding: UnsafeBufferPointer(start: data, count: size)) {
        precondition(summary.version >= Int.min && !summary.id.compact.isEmpty)
    }
    // The binary readers of sealed events, event groups and snapshots, likewise.
    let raw = UnsafeBufferPointer(start: data, count: size)
    // (Bytes need not re-encode to themselves: a long varint or a lower-case id reads too.)
    if let c = try? CaseFile(binary: raw) {
        precondition((try? c.binaryEncoded().withUnsafeBufferPointer { try CaseFile(binary: $0) }) == c, "a snapshot does not survive a round trip")
    }
    if let e = try? CaseEvent(binary: raw) {
        precondition((try? e.binaryEncoded().withUnsafeBufferPointer { try CaseEvent(binary: $0) }) == e, "an event does not survive a round trip")
    }
    if let g = try? EventGroup(binary: raw) {
        precondition(!g.events.isEmpty, "an empty event group was read")
        precondition(
            (try? g.binaryEncoded().withUnsafeBufferPointer { try EventGroup(binary: $0) }) == g, "an event group does not survive a round trip")
    }
    // The import's fast line reader reads each line as Foundation's decoder does, or steps aside.
    for line in raw.split(separator: 0x0A) {
        let bytes = Array(line)
        guard String(validating: bytes, as: UTF8.self) != nil,
            let fast = bytes.withUnsafeBufferPointer({ FastDocumentReader.decode($0) })
        else { continue }
        let slow = try? DocumentReader.decode(OpenDocument.self, from: Data(bytes))
        precondition(fast == slow, "the fast reader read a line differently")
    }
    precondition(ftruncate(memoryFile.fd, 0) == 0)
    precondition(pwrite(memoryFile.fd, data, size, 0) == size)
    guard let file = try? ImportFile(path: memoryFile.path) else { return 0 }
    // A small line limit, so the over-long-line paths are reached with small inputs too.
    #if FUZZ_CSV
        guard let source = try? CSVCaseSource(file: file, lineLimit: 4096) as any ImportRowSource else { return 0 }
    #else
        let source: any ImportRowSource = JSONLCaseSource(file: file, lineLimit: 4096)
    #endif
    var previousLine = 0
    var rows = 0
    while let row = try? source.next() {
        rows += 1
        precondition(rows <= size + 1, "more rows than bytes: the reader does not advance")
        precondition(row.line >= 1 && row.line >= previousLine, "line numbers go backwards: \(previousLine) then \(row.line)")
        previousLine = row.line
        switch row.content {
        case .problem(let reason):
            precondition(!reason.isEmpty)
        case .document(let document):
            do {
                try validator.validate(document)
            } catch let e as InputError {
                let reason = e.renamingFields { source.fieldName($0, in: document) }.rowReason
                precondition(!reason.isEmpty)
            } catch let e as CaseError {
                // A stage move no caseworker could make (the import rejects the row the same way).
                precondition(!e.rowReason.isEmpty)
            } catch {
                preconditionFailure("validation threw something other than InputError or CaseError: \(error)")
            }
        }
    }
    return 0
}
