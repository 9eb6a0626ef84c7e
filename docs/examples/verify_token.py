# Checks a Gatehouse access token in an app backend, with Gatehouse's public keys alone.
# Usage: GATEHOUSE_URL=https://auth.example.com python3 verify_token.py TOKEN
import json
import os
import sys

import jwt  # PyJWT (Debian: python3-jwt; it needs python3-cryptography)

GATEHOUSE_URL = os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8000")

# Fetched on first use and kept; fetched again when a token names a key not seen yet (after a rotation).
jwks = jwt.PyJWKClient(f"{GATEHOUSE_URL}/.well-known/jwks.json")


def verify_gatehouse_token(token):
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["ES256", "EdDSA", "RS256"], options={"require": ["exp", "sub"]})
    if claims.get("type") != "access":
        raise jwt.InvalidTokenError("not an access token")
    return claims  # sub: the user's uuid; sid: the session; exp: when it stops being valid


if __name__ == "__main__":
    try:
        print(json.dumps(verify_gatehouse_token(sys.argv[1])))
    except jwt.PyJWTError as error:
        print(f"refused: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
