// The explanation catalog's entries, by id: what every explanation id names. The
// classification table (../reply-classification.ts) chooses ids from here; ../explanations.ts
// classifies failures and renders entries in the owner's language.
import { authenticationExplanations } from './authentication.ts';
import { connectionExplanations } from './connection.ts';
import { deliveryExplanations } from './delivery.ts';
import type { Explanation } from './explanation.ts';
import { generalExplanations } from './general.ts';
import { oauthExplanations } from './oauth.ts';
import { senderExplanations } from './sender.ts';
import { tlsExplanations } from './tls.ts';

export type ExplanationId =
  | keyof typeof authenticationExplanations
  | keyof typeof senderExplanations
  | keyof typeof tlsExplanations
  | keyof typeof connectionExplanations
  | keyof typeof deliveryExplanations
  | keyof typeof generalExplanations
  | keyof typeof oauthExplanations;

export const EXPLANATIONS: Readonly<Record<ExplanationId, Explanation>> = {
  ...authenticationExplanations,
  ...senderExplanations,
  ...tlsExplanations,
  ...connectionExplanations,
  ...deliveryExplanations,
  ...generalExplanations,
  ...oauthExplanations,
};
