@testable import HTTPServer

/// Feeds `chunks` in turn and collects every action, draining pipelined requests after each.
func parseActions(_ chunks: [[UInt8]], limits: ParserLimits = ParserLimits()) -> [RequestParser.Action] {
    var parser = RequestParser(limits: limits)
    var actions: [RequestParser.Action] = []
    for chunk in chunks {
        var action = parser.feed(chunk)
        while true {
            if action != .needMore { actions.append(action) }
            switch action {
            case .request, .sendContinue:
                action = parser.feed([])
                continue
            case .needMore, .reject:
                break
            }
            break
        }
        if case .reject = action { break }
    }
    return actions
}

func parseActions(_ text: String, limits: ParserLimits = ParserLimits()) -> [RequestParser.Action] {
    parseActions([Array(text.utf8)], limits: limits)
}

/// The actions for every way of cutting `bytes` in two, plus one byte at a time.
func actionsForEverySplit(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> [[RequestParser.Action]] {
    var results: [[RequestParser.Action]] = []
    for cut in 0...bytes.count {
        results.append(parseActions([Array(bytes[..<cut]), Array(bytes[cut...])], limits: limits))
    }
    results.append(parseActions(bytes.map { [$0] }, limits: limits))
    return results
}

/// The status of the single rejection in `actions`, or nil.
func rejectStatus(_ actions: [RequestParser.Action]) -> Int? {
    for action in actions {
        if case .reject(let failure) = action { return failure.status }
    }
    return nil
}

func requests(_ actions: [RequestParser.Action]) -> [ParsedRequest] {
    actions.compactMap { if case .request(let request) = $0 { request } else { nil } }
}
