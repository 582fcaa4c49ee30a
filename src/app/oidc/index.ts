export { bearerToken } from "./bearer-token.js";
export {
  type ActionsClaims,
  ActionsClaimsSchema,
  type ActionsTokenVerifier,
  type TokenRefusal,
  type VerifiedToken,
} from "./claims.js";
export { type ClaimDemands, demandClaims } from "./demand-claims.js";
export { type ActionsTokenVerifierOptions, createActionsTokenVerifier } from "./verifier.js";
