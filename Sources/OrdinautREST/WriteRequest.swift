import Hummingbird
import OrdinautAuth
import OrdinautCore
import OrdinautHTTPCommon

/// What every REST write starts with: the principal the access layer settled on, and the body read
/// within its limit as a JSON object (an empty body is `{}`).
enum WriteRequest {
    static func read(_ request: Request, _ context: some PrincipalCarrying, maxBodyBytes: Int) async -> Result<(Principal, JSONObject), Refusal> {
        guard let principal = context.principal else {
            return .failure(Refusal(ErrorBody.response(.unauthorized, "unauthorized", "no credential was checked for this request")))
        }
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            if buffer.readableBytes == 0 { return .success((principal, [:])) }
            guard let parsed = try JSONParser().parse(buffer.readableBytesView).objectValue else {
                return .failure(Refusal(ErrorBody.response(.badRequest, "bad_request", "the request body must be a JSON object")))
            }
            return .success((principal, parsed))
        } catch let error as JSONParseError {
            return .failure(Refusal(ErrorBody.response(.badRequest, "bad_request", "the request body is not valid JSON: \(error)")))
        } catch {
            return .failure(Refusal(ErrorBody.response(.contentTooLarge, "too_large", "the request body is larger than \(maxBodyBytes) bytes")))
        }
    }

    /// The answer that ends a write before it starts.
    struct Refusal: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }
}
