// Settings › Organization: who the organization is, and the beta flag owners switch on.
import type { Organization } from '../../api-types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Link, PATHS } from '../../router.tsx';
import { BetaToggle } from './BetaToggle.tsx';

export function OrganizationScreen({ organization, onChange }: { organization: Organization; onChange(org: Organization): void }) {
  const { t } = useI18n();
  return (
    <>
      <section className="card" aria-labelledby="org-identity">
        <h2 id="org-identity" className="card__title">
          {t('org.identity')}
        </h2>
        <dl className="facts">
          <div>
            <dt>{t('org.name')}</dt>
            <dd>{organization.name}</dd>
          </div>
          <div>
            <dt>{t('org.id')}</dt>
            <dd>
              <code>{organization.id}</code>
            </dd>
          </div>
          <div>
            <dt>{t('org.locale')}</dt>
            <dd>{organization.locale === 'fr' ? 'Français' : 'English'}</dd>
          </div>
        </dl>
        <p className="muted">{t('org.managedByPlatform')}</p>
      </section>
      <section className="card" aria-labelledby="org-features">
        <h2 id="org-features" className="card__title">
          {t('org.features')}
        </h2>
        <BetaToggle organization={organization} onChange={onChange} />
        {organization.features.customSmtp ? (
          <p>
            <Link to={PATHS.smtp} className="button button--primary">
              {t('org.beta.configure')}
            </Link>
          </p>
        ) : null}
      </section>
    </>
  );
}
