import ExactJSON

/// A JSON syntax error in the sales-history family's language.
enum SpanishJSONError {
    static func describe(_ error: JSONSyntaxError) -> String {
        let what = switch error.reason {
        case .empty: "el cuerpo está vacío"
        case .unexpectedEnd: "el documento termina antes de tiempo"
        case .unexpectedCharacter(let character): "carácter inesperado \(character)"
        case .invalidNumber: "número inválido"
        case .invalidEscape: "secuencia de escape inválida en un texto"
        case .invalidUnicode: "UTF-8 o escape \\u inválido"
        case .controlCharacterInString: "carácter de control sin escapar en un texto"
        case .nulInString: "un texto contiene U+0000"
        case .duplicateKey(let key): "la clave \"\(key)\" aparece dos veces"
        case .tooDeep(let depth): "más de \(depth) niveles de anidamiento"
        case .trailingContent: "hay contenido después del valor JSON"
        }
        return "\(what) (byte \(error.offset))"
    }
}
