extension UInt8 {
    /// This byte with an ASCII capital letter lowered (`A`–`Z` to `a`–`z`), every other byte as it
    /// is. Header names, media types and SQL keywords are compared this way, byte by byte, where
    /// Foundation's case mapping would cost more than the comparison itself.
    @inlinable public var asciiLowercased: UInt8 { (65...90).contains(self) ? self | 0x20 : self }
}
