// libFuzzer target for `cases import` parsing: the JSONL reader (DocumentReader) or, built with
// -D FUZZ_CSV, the CSV reader (CSV.swift + CSVCaseLayout), then CaseValidator on every document
// that decodes; and the sealed summary's binary reader on the raw input. Built by Fuzz/run.sh from the CasesCore sources that do not need GRDB, in one
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
            } catch {
                preconditionFailure("validation threw something other than InputError: \(error)")
            }
        }
    }
    return 0
}
