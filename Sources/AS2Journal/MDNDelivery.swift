/// Where the MDN for an inbound message goes: back on the HTTP response, or POSTed to the
/// partner's `Receipt-Delivery-Option` URL (already checked against the partner's allowed URLs).
public enum MDNDelivery: Sendable, Hashable {
    case sync
    case async(url: String)

    public var mode: MDNMode {
        switch self {
        case .sync: .sync
        case .async: .async
        }
    }
}
