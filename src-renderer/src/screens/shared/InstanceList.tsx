import { PagedList, type PagedListProps } from '../../ui/PagedList';

type InstancesHandler = 'outgoing-instances' | 'incoming-instances';

/** The instances of one request or transaction ("request 12") and the outcome of each, a page at a time (test id: the handler's name). */
export function InstanceList<K extends InstancesHandler>({ of, ...p }: { of: string } & Omit<PagedListProps<K>, 'kind' | 'className' | 'label' | 'errorPrefix' | 'testId'>) {
  return <PagedList<K> {...(p as PagedListProps<K>)} kind="instances" className="instances-pane" label={`Instances of ${of}`} testId={p.handler} errorPrefix="Cannot load the instances" />;
}
