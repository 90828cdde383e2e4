import type { Locale } from '../glossary.ts';

export interface OrganizationFeatures {
  /** "Custom sending address (SMTP)": when off, the organization's relay is never used. */
  customSmtp: boolean;
}

export interface Organization {
  id: string;
  name: string;
  locale: Locale;
  features: OrganizationFeatures;
  createdAt: number;
  updatedAt: number;
}

export const DEFAULT_FEATURES: OrganizationFeatures = { customSmtp: false };

/** Organization ids: short slugs or UUIDs chosen by the platform, safe in URLs and logs. */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
