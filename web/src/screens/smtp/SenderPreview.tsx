// What recipients will see in their mail client, updated as the owner types.
import { mailbox } from '../../format.ts';
import { useI18n } from '../../i18n/index.tsx';

export function SenderPreview({ name, email, replyTo }: { name: string; email: string; replyTo: string }) {
  const { t } = useI18n();
  const address = email.trim();
  return (
    <div className="sender-preview">
      <p>
        <span className="sender-preview__label">{t('smtp.preview.from')}</span>{' '}
        <strong className="sender-preview__value" data-testid="sender-preview">
          {address ? mailbox(name, address) : t('smtp.preview.empty')}
        </strong>
      </p>
      {replyTo.trim() ? (
        <p className="muted">
          {t('smtp.preview.replyTo')} {replyTo.trim()}
        </p>
      ) : null}
    </div>
  );
}
