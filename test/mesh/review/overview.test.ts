import { App } from 'aws-cdk-lib';
import { ApiObject } from 'cdk8s';
import { meshDiagram } from '../../../lib';
import { CanaryStack } from '../../../examples/canary';
import { meshDiagramInput, renderMeshDiagram } from '../../../lib/mesh/review/diagram';
import { meshReview } from '../../../lib/mesh/review/mesh-review';
import { diagramLengthAtLeast, MERMAID_MAX_TEXT, renderMeshOverview } from '../../../lib/mesh/review/overview';
import { largeMesh, trickyMesh } from './fixtures';

const place = { stack: 'Stack', mesh: 'large' };
const mermaid = (md: string) => md.slice(md.indexOf('```mermaid\n') + 11, md.lastIndexOf('\n```'));

describe('namespace overview (diagrams larger than Mermaid renders)', () => {
  test('namespaces with what they hold and their default deny, rules and routes between them counted', () => {
    const mesh = largeMesh(50, 5);
    const text = renderMeshOverview(meshDiagramInput(mesh));
    const lines = text.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    // ops (Prometheus), 5 teams under DefaultDeny, kube-system (their DNS egress)
    expect(lines.filter((l) => l.includes('["namespace '))).toHaveLength(7);
    expect(text).toMatch(
      /\n {2}ns_team_00_\w+\["namespace team-00<br\/>10 workloads · 11 policies<br\/>default deny: egress, ingress"\]\n/,
    );
    expect(text).toMatch(/\n {2}ns_ops_\w+\["namespace ops<br\/>1 workload"\]\n/);
    // Prometheus reaches the 10 workloads of each team: 10 rules (one per workload policy) per namespace
    expect(lines.filter((l) => /^ {2}ns_ops_\w+ -->\|"10 allow rules"\| ns_team_0\d_\w+$/.test(l))).toHaveLength(5);
    // the chain Svc(i-1) → Svc(i) crosses from team-(k-1) into team-k: each flow is an ingress rule of the
    // destination's policy and an egress rule of the source's (allowFrom mirrors it), counted as the rules they are
    expect(text).toMatch(/\n {2}ns_team_00_\w+ -->\|"20 allow rules"\| ns_team_01_\w+\n/);
    expect(text).toMatch(/\n {2}ns_team_04_\w+ -->\|"18 allow rules"\| ns_team_00_\w+\n/);
    // every 10th workload (all in team-00) allows the Gateway identity
    expect(text).toMatch(/\n {2}x_entity_ingress_\w+ -->\|"5 allow rules"\| ns_team_00_\w+\n/);
    expect(text).toMatch(/\n {2}x_entity_ingress_\w+\(\("ingress"\)\)\n/);
    expect(text).toMatch(
      /\n {2}class ns_team_00_\w+,ns_team_01_\w+,ns_team_02_\w+,ns_team_03_\w+,ns_team_04_\w+ enforced\n$/,
    );
    // the namespaces and entities keep the ids of the full diagram
    const full = meshDiagram(mesh);
    for (const id of text.match(/\b(ns|x)_\w+_[0-9a-f]{4}\b/g) ?? []) {
      expect({ id, inFull: full.includes(id) }).toEqual({ id, inFull: true });
    }
  });

  test('cluster-wide policies, deny rules, entities, CIDRs and selectors by expression; routes and listeners', () => {
    const tricky = renderMeshOverview(meshDiagramInput(trickyMesh()));
    expect(tricky).toMatchSnapshot();
    expect(tricky).toMatch(/\n {2}ns_legacy_\w+ --x\|"1 deny rule"\| ns_back_\w+\n/);
    expect(tricky).toMatch(/\n {2}x_overview_group_CIDRs_\w+\(\("CIDRs"\)\)\n/);
    // a cluster-wide default deny that certainly covers ops
    expect(tricky).toMatch(/\["namespace ops<br\/>1 workload · 1 policy<br\/>default deny: ingress"\]/);
    const withIngress = trickyMesh();
    new ApiObject(withIngress, 'WebIngress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'front' },
      spec: { ingressClassName: 'cilium', defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    });
    const ingress = renderMeshOverview(meshDiagramInput(withIngress));
    expect(ingress).toMatch(/\["namespace front<br\/>1 workload · 3 policies · 1 Ingress"\]/);
    expect(ingress).toMatch(/\n {2}x_entity_world_\w+ ==>\|"1 Ingress"\| ns_front_\w+\n/);
    const canary = renderMeshOverview(meshDiagramInput(new CanaryStack(new App(), 'C').mesh));
    expect(canary).toMatch(/\n {2}x_entity_world_\w+ ==>\|"1 Gateway listener"\| ns_shop_\w+\n/);
    expect(canary).toMatch(/\n {2}ns_shop_\w+ ==>\|"1 route"\| ns_shop_\w+\n/);
  });

  test('the full diagram of the examples-sized meshes is certainly at least as long as diagramLengthAtLeast', () => {
    for (const mesh of [trickyMesh(), largeMesh(50, 5), largeMesh(300, 7)]) {
      const input = meshDiagramInput(mesh);
      const bound = diagramLengthAtLeast(input);
      expect({ path: mesh.node.path, below: bound <= renderMeshDiagram(input).trimEnd().length }).toEqual({
        path: mesh.node.path,
        below: true,
      });
      expect(bound).toBeGreaterThan(0);
    }
  });

  test('the review file keeps the full diagram while Mermaid renders it', () => {
    const mesh = largeMesh(50, 5);
    const md = meshReview(mesh, mesh.toJson(), place).files[0].content;
    expect(mermaid(md)).toBe(meshDiagram(mesh).trimEnd());
    expect(md).not.toMatch(/more than Mermaid renders/);
  });

  test('beyond it, the review file holds the overview and says why, whether or not the full diagram was drawn', () => {
    // 600 workloads: the full diagram is drawn, found too large; 1,500: certainly too large, not drawn
    for (const [n, drawn] of [
      [600, true],
      [1500, false],
    ] as const) {
      const mesh = largeMesh(n, 10);
      const input = meshDiagramInput(mesh);
      expect({ n, drawn: diagramLengthAtLeast(input) <= MERMAID_MAX_TEXT }).toEqual({ n, drawn });
      expect(renderMeshDiagram(input).trimEnd().length).toBeGreaterThan(MERMAID_MAX_TEXT);
      const md = meshReview(mesh, mesh.toJson(), place).files[0].content;
      expect(mermaid(md)).toBe(renderMeshOverview(input).trimEnd());
      expect(mermaid(md).length).toBeLessThan(MERMAID_MAX_TEXT);
      expect(md).toMatch(
        /The full diagram of this mesh has more than 50000 characters, more than Mermaid renders by default .*`meshDiagram\(mesh\)` gives the full diagram/,
      );
      expect(md).toMatch(new RegExp(`namespace team-00<br/>${n / 10} workloads · ${n / 10 + 1} policies`));
    }
  });

  test('an overview that is itself too large says so', () => {
    // 600 namespaces of one workload each
    const mesh = largeMesh(600, 600);
    const md = meshReview(mesh, mesh.toJson(), place).files[0].content;
    const overview = mermaid(md);
    expect(overview.length).toBeGreaterThan(MERMAID_MAX_TEXT);
    expect(md).toContain(`This overview too has ${overview.length} characters; GitHub shows it as text.\n`);
  });
});
