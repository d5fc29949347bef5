"""Signing keys and JWTs for the test authorization server (oauth_server.py), including the broken and
forged tokens the resource-server tests present.

Signing uses joserfc, the JOSE library Authlib 1.9 depends on and delegates to: Authlib's own
`authlib.jose` is deprecated in its favour ("authlib.jose module is deprecated, please use joserfc").
Forged tokens (`alg: none`, HS256 keyed with the public key, tampered payloads) are assembled by hand
here on purpose: a well-behaved JOSE library refuses to produce them."""
import base64
import hashlib
import hmac
import json
import threading
import uuid
import warnings
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey

# alg -> how to make a key for it. "EdDSA" is the JWS name most deployments use for Ed25519;
# RFC 9864 deprecates it in favour of the fully specified "Ed25519", which is offered too.
KEY_FACTORIES = {
    "RS256": (RSAKey, 2048),
    "PS256": (RSAKey, 2048),
    "ES256": (ECKey, "P-256"),
    "ES384": (ECKey, "P-384"),
    "EdDSA": (OKPKey, "Ed25519"),
    "Ed25519": (OKPKey, "Ed25519"),
}


def b64url(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(value) -> str:
    return b64url(json.dumps(value, separators=(",", ":")))


def decode_unverified(token: str) -> tuple[dict, dict]:
    """(header, claims) of a compact JWS, without checking anything."""
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def sign(header: dict, claims: dict, key) -> str:
    """A compact JWS of `claims` under `header` (which names the alg), signed with a joserfc key."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)  # EdDSA is deprecated by RFC 9864, still widely used
        return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def forge_unsigned(header: dict, claims: dict) -> str:
    """An `alg: none` token (RFC 7519 §6 "unsecured JWT"): empty signature."""
    return f"{compact_json(dict(header, alg='none'))}.{compact_json(claims)}."


def forge_hmac(header: dict, claims: dict, secret: bytes) -> str:
    """An HS256 token keyed with `secret`: with the RSA public key as the secret this is the classic
    algorithm-confusion attack on verifiers that pick the algorithm from the token header."""
    signing_input = f"{compact_json(dict(header, alg='HS256'))}.{compact_json(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def tamper(token: str, **changes) -> str:
    """The same token with claims changed (a value None deletes the claim) and the old signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return f"{header}.{compact_json(claims)}.{signature}"


@dataclass
class SigningKey:
    kid: str
    alg: str
    key: object  # a joserfc private key
    published: bool = True

    def public_jwk(self) -> dict:
        return self.key.as_dict(private=False)

    def public_key_encodings(self) -> dict[str, bytes]:
        """The public key in the byte forms a confused verifier might use as an HMAC secret."""
        public = self.key.raw_value.public_key()
        spki = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        forms = {"pem": spki, "der": public.public_bytes(serialization.Encoding.DER,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo),
                 "jwk": json.dumps(self.public_jwk(), separators=(",", ":")).encode()}
        if self.key.key_type == "RSA":
            forms["pem_pkcs1"] = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        return forms


class KeyRing:
    """The AS's signing keys. One is current (signs issued tokens); the JWKS publishes every key not removed.
    A removed key keeps its private half so that tests can still sign with it (a revoked key in the wild)."""

    def __init__(self, alg: str = "RS256") -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {}
        self.current: SigningKey = self.rotate(alg)

    def new_key(self, alg: str, publish: bool = True, kid: str | None = None) -> SigningKey:
        if alg not in KEY_FACTORIES:
            raise ValueError(f"unsupported alg {alg}; one of {sorted(KEY_FACTORIES)}")
        kid = kid or f"{alg.lower()}-{uuid.uuid4().hex[:12]}"
        kind, size = KEY_FACTORIES[alg]
        entry = SigningKey(kid, alg, kind.generate_key(size, parameters={"kid": kid, "alg": alg, "use": "sig"}), publish)
        with self._lock:
            self._keys[entry.kid] = entry
        return entry

    def rotate(self, alg: str = "RS256") -> SigningKey:
        """Adds a published key and makes it the one issued tokens are signed with; older keys stay published."""
        self.current = self.new_key(alg)
        return self.current

    def remove(self, kid: str) -> None:
        with self._lock:
            self._keys[kid].published = False

    def get(self, kid: str) -> SigningKey:
        with self._lock:
            return self._keys[kid]

    def for_alg(self, alg: str) -> SigningKey:
        """The current key if it signs `alg`, else the newest published key that does."""
        if self.current.alg == alg:
            return self.current
        with self._lock:
            matching = [k for k in self._keys.values() if k.alg == alg and k.published]
        if not matching:
            raise LookupError(f"no published {alg} key; rotate_key({alg!r}) first")
        return matching[-1]

    def jwks(self) -> dict:
        with self._lock:
            return {"keys": [k.public_jwk() for k in self._keys.values() if k.published]}

    def verify(self, token: str) -> dict | None:
        """The claims of a token signed by one of the published keys, or None (used by introspection)."""
        try:
            header, _ = decode_unverified(token)
            entry = self.get(header.get("kid", ""))
            if not entry.published or header.get("alg") != entry.alg:
                return None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SecurityWarning)
                return jwt.decode(token, entry.key, algorithms=[entry.alg]).claims
        except Exception:  # noqa: BLE001 - anything unverifiable is simply not one of ours
            return None
