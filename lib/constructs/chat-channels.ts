import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { NAMES } from '../naming';

export interface ChatChannelsProps {
  readonly key: kms.IKey;
  readonly slack: ReadonlyArray<{ workspaceId: string; channelId: string; minSeverity: string }>;
  readonly teams: ReadonlyArray<{ teamId: string; tenantId: string; channelId: string; minSeverity: string }>;
}

/**
 * Slack and Microsoft Teams through AWS Chatbot (Amazon Q Developer in chat applications). The notifier publishes
 * Chatbot custom notifications to one topic per minimum severity; each channel configuration subscribes to the topic
 * of its severity. Chatbot gets a role with no permissions and a read-only guardrail: channels can read alerts, not
 * act in the account.
 */
export class ChatChannels extends Construct {
  readonly topics: Array<{ topic: sns.Topic; minSeverity: string }> = [];

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    const severities = [...new Set([...props.slack, ...props.teams].map((c) => c.minSeverity))];
    const topicFor = new Map<string, sns.Topic>();
    for (const sev of severities) {
      const topic = new sns.Topic(this, `Topic-${sev}`, {
        topicName: `${NAMES.alertTopic}-chat-${sev}`,
        displayName: `Break-glass alerts (${sev} and above)`,
        masterKey: props.key,
        enforceSSL: true,
      });
      topicFor.set(sev, topic);
      this.topics.push({ topic, minSeverity: sev });
    }
    if (severities.length === 0) return;
    const role = new iam.Role(this, 'ChatbotRole', {
      roleName: `${NAMES.rulePrefix}chatbot`,
      description: 'breakglass: AWS Chatbot channel role without permissions',
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
    });
    const guardrail = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    props.slack.forEach((c, i) => new chatbot.CfnSlackChannelConfiguration(this, `Slack${i}`, {
      configurationName: `${NAMES.rulePrefix}slack-${i}`,
      iamRoleArn: role.roleArn,
      slackWorkspaceId: c.workspaceId,
      slackChannelId: c.channelId,
      snsTopicArns: [topicFor.get(c.minSeverity)!.topicArn],
      guardrailPolicies: guardrail,
      loggingLevel: 'ERROR',
      userRoleRequired: false,
    }));
    props.teams.forEach((c, i) => new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i}`, {
      configurationName: `${NAMES.rulePrefix}teams-${i}`,
      iamRoleArn: role.roleArn,
      teamId: c.teamId,
      teamsTenantId: c.tenantId,
      teamsChannelId: c.channelId,
      snsTopicArns: [topicFor.get(c.minSeverity)!.topicArn],
      guardrailPolicies: guardrail,
      loggingLevel: 'ERROR',
      userRoleRequired: false,
    }));
  }
}
