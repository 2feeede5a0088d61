"""Prioritisation: weighted criteria, project scores, the ranking and the best selection."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import delete, select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    MAX_MONEY,
    BadUserInput,
    Checks,
    Context,
    Lock,
    Portfolio,
    PortfolioPayload,
    Project,
    ProjectPayload,
    ProjectRef,
    ProjectStage,
    Transaction,
    authorize,
    canonical_text,
    compute,
    get_context,
    money_argument,
    run_mutation,
    tier_field,
    tier_mutation,
    work_cost,
)
from pmo_graph_portfolio.models import Criterion, ProjectScore
from pmo_graph_portfolio.selection import (
    MAX_CANDIDATES,
    SELECTION_COST,
    Candidate,
    best_subset,
    weighed,
)
from pmo_graph_portfolio.tier import KEY

MAX_SCORE = 10.0
CENTS = Decimal(100)


WEIGHT = (
    "What a score against the criterion counts for in the ranking: 0 or more; the weights of a "
    "portfolio need not add up to anything."
)
SCORE = f"From 0 to {MAX_SCORE:g}."


@strawberry.type(
    description="A criterion a portfolio prioritises its projects by (value, risk, strategic "
    "fit…) and its weight."
)
class PortfolioCriterion:
    key: str = strawberry.field(
        description="The criterion's key: trimmed, 1 to 64 characters, unique in the portfolio "
        "(compared exactly, case included)."
    )
    weight: float = strawberry.field(description=WEIGHT)


@strawberry.type(name="ProjectScore", description="A project's score against one criterion.")
class ProjectScoreType:
    criterion: str = strawberry.field(
        description="The key of the criterion it was scored against. A score against a "
        "criterion the portfolio no longer has is kept but does not count."
    )
    score: float = strawberry.field(description=SCORE)


@strawberry.type(description="A project's place in its portfolio's ranking.")
class RankedProject:
    project: ProjectRef = strawberry.field(description="The project ranked.")
    score: float = strawberry.field(
        description="The weighted sum of its scores against the portfolio's current criteria "
        "(the sum of weight times score), rounded to six decimals; a criterion it was not "
        "scored against adds nothing."
    )
    rank: int = strawberry.field(
        description="Its place, counted from 1 for the best. Equal scores share a rank, and the "
        "next rank counts the projects before it (1, 2, 2, 4)."
    )


@strawberry.type(
    description="The best set of candidate projects within a budget: the greatest total score, "
    "found exactly (a 0/1 knapsack, in cents), not greedily."
)
class Selection:
    projects: list[ProjectRef] = strawberry.field(description="The projects chosen, by code.")
    total_score: float = strawberry.field(
        description="The sum of their weighted scores, rounded to six decimals; 0 when none is "
        "chosen."
    )
    total_budget: Decimal = strawberry.field(
        description="The sum of their budgets (money, in the organisation's currency), at most "
        "the budget asked about; 0.00 when none is chosen."
    )


@strawberry.input(description="A prioritisation criterion and its weight.")
class CriterionInput:
    key: str = strawberry.field(
        description="Trimmed, 1 to 64 characters, once per list (compared exactly, case "
        "included; else DUPLICATE)."
    )
    weight: float = strawberry.field(description=WEIGHT)


@strawberry.input(description="A portfolio's prioritisation criteria, replacing the ones it had.")
class SetPortfolioCriteriaInput:
    portfolio_id: strawberry.ID = strawberry.field(
        description="The portfolio, of your organisation."
    )
    criteria: list[CriterionInput] = strawberry.field(
        description="Replaces the portfolio's criteria; an empty list removes them all. Scores "
        "against a removed criterion are kept but stop counting, and count again if it comes "
        "back."
    )


@strawberry.input(description="A project's score against one criterion of its portfolio.")
class ScoreProjectInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project, of your organisation and in a portfolio."
    )
    criterion: str = strawberry.field(
        description="The key of one of its portfolio's criteria, compared exactly once trimmed."
    )
    score: float = strawberry.field(
        description=f"{SCORE} Scoring the same criterion again replaces the score."
    )


async def _criteria(context: Context, portfolio_id: int) -> list[Criterion]:
    loader = context.loaders.children(Criterion, Criterion.portfolio_id, order_by=(Criterion.key,))
    return await loader.load(portfolio_id)


async def _scores(context: Context, project_ids: list[int]) -> list[list[ProjectScore]]:
    loader = context.loaders.children(
        ProjectScore, ProjectScore.project_id, order_by=(ProjectScore.criterion,)
    )
    return list(await loader.load_many(project_ids))


async def ranked(context: Context, portfolio_id: int) -> list[tuple[Project, float]]:
    """The portfolio's projects that have at least one score, with their weighted sums, best
    first (batched over every portfolio asked for in the same request)."""

    async def load(keys: list[int]) -> list[list[tuple[Project, float]]]:
        criteria = await context.loaders.children(
            Criterion, Criterion.portfolio_id, order_by=(Criterion.key,)
        ).load_many(keys)
        projects = list(
            await context.db.scalars(
                select(Project)
                .where(
                    Project.organisation_id == context.viewer.organisation_id,
                    Project.portfolio_id.in_(set(keys)),
                )
                .order_by(Project.code, Project.id)
            )
        )
        scores = await _scores(context, [p.id for p in projects])
        weights = {
            key: {c.key: c.weight for c in found} for key, found in zip(keys, criteria, strict=True)
        }
        rows: dict[int, list[tuple[Project, float]]] = {key: [] for key in keys}
        for project, marks in zip(projects, scores, strict=True):
            weight = weights.get(project.portfolio_id or 0, {})
            counted = [s for s in marks if s.criterion in weight]
            if counted:
                total = sum(weight[s.criterion] * s.score for s in counted)
                rows[project.portfolio_id or 0].append((project, round(total, 6)))
        for found in rows.values():
            found.sort(key=lambda item: (-item[1], item[0].code))
        return [rows[key] for key in keys]

    return await context.loaders.get(("portfolio", "ranked"), load).load(portfolio_id)


@strawberry.type
class PriorityProjectFields:
    @tier_field(
        KEY,
        description="The project's stored scores, by criterion, those against criteria its "
        "portfolio no longer has included (they do not count in the ranking).",
    )
    async def scores(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[ProjectScoreType]:
        (found,) = await _scores(get_context(info), [root.id])
        return [ProjectScoreType(criterion=s.criterion, score=s.score) for s in found]


@strawberry.type
class PriorityPortfolioFields:
    @tier_field(
        KEY, description="The portfolio's prioritisation criteria and their weights, by key."
    )
    async def criteria(
        self, root: strawberry.Parent[Portfolio], info: Info[Any, Any]
    ) -> list[PortfolioCriterion]:
        return [
            PortfolioCriterion(key=c.key, weight=c.weight)
            for c in await _criteria(get_context(info), root.id)
        ]

    @tier_field(
        KEY,
        description="The portfolio's projects, of every stage, that have at least one score "
        "against one of its current criteria: highest weighted score first, then by code.",
    )
    async def ranking(
        self, root: strawberry.Parent[Portfolio], info: Info[Any, Any]
    ) -> list[RankedProject]:
        rows = await ranked(get_context(info), root.id)
        result: list[RankedProject] = []
        for position, (project, score) in enumerate(rows):
            rank = result[-1].rank if result and result[-1].score == score else position + 1
            result.append(RankedProject(project=project, score=score, rank=rank))
        return result

    @tier_field(
        KEY,
        description="Which projects to fund: of the ranked projects that are PROPOSED or "
        "APPROVED and have a budget, the set with the greatest total score whose budgets add "
        "up to no more than `budget` (exact, not greedy). Among equally good sets the cheaper "
        "wins, then the one of the projects created first. A candidate scoring 0 is never "
        "chosen; one with a budget of 0 and a positive score always is. At most "
        f"{MAX_CANDIDATES} candidates with a score and a budget within `budget` are weighed; "
        "with more, the field answers BAD_USER_INPUT. Runs off the event loop within "
        "PMO_GRAPH_COMPUTATION_SECONDS (past it, the error COMPUTATION_TIME_LIMIT); costs "
        f"{SELECTION_COST} points of query cost.",
        metadata=work_cost(SELECTION_COST),
    )
    async def selection(
        self,
        root: strawberry.Parent[Portfolio],
        info: Info[Any, Any],
        budget: Annotated[
            Decimal,
            strawberry.argument(
                description=f"The money to spend (in the organisation's currency): 0 to "
                f"{MAX_MONEY}, at most two decimals, else the error BAD_USER_INPUT."
            ),
        ],
    ) -> Selection:
        cents = int(money_argument(budget, "budget") * CENTS)
        context = get_context(info)
        rows = [
            (project, score)
            for project, score in await ranked(context, root.id)
            if project.stage in {ProjectStage.PROPOSED, ProjectStage.APPROVED}
            and project.budget is not None
        ]
        by_id = {project.id: (project, score) for project, score in rows}
        candidates = [
            Candidate(p.id, int((p.budget or Decimal(0)) * CENTS), score) for p, score in rows
        ]
        count = weighed(candidates, cents)
        if count > MAX_CANDIDATES:
            raise BadUserInput(
                f"{count} projects of the portfolio are candidates (PROPOSED or APPROVED, "
                f"scored, with a budget within `budget`); a selection weighs at most "
                f"{MAX_CANDIDATES}. Put some on hold, or ask with a smaller budget.",
                limit="candidates",
                candidates=count,
                maximum=MAX_CANDIDATES,
            )
        chosen = await compute(context, best_subset, candidates, cents)
        picked = sorted((by_id[key] for key in chosen), key=lambda item: item[0].code)
        return Selection(
            projects=[p for p, _ in picked],
            total_score=round(sum(score for _, score in picked), 6),
            total_budget=sum((p.budget or Decimal(0) for p, _ in picked), Decimal("0.00")),
        )


@strawberry.type
class PriorityMutation:
    @tier_mutation(
        KEY,
        description="Set a portfolio's prioritisation criteria and their weights, replacing "
        "its criteria; answers the portfolio. For ADMIN, OFFICE and PORTFOLIO_MANAGER; anyone "
        "else gets the error FORBIDDEN. userErrors (every problem at once): NOT_FOUND on "
        "portfolioId; INVALID or DUPLICATE on criteria.i.key; INVALID on criteria.i.weight.",
    )
    async def set_portfolio_criteria(
        self, info: Info[Any, Any], input: SetPortfolioCriteriaInput
    ) -> PortfolioPayload:
        context = get_context(info)
        authorize(context, "setPortfolioCriteria")

        async def body(tx: Transaction) -> Portfolio:
            checks = Checks()
            # The list replaces the portfolio's: replacements take turns (as setBalanceTargets).
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
                lock=Lock.WRITE,
            )
            seen: set[str] = set()
            for index, criterion in enumerate(input.criteria):
                key = canonical_text(criterion.key)
                if not key or len(key) > 64:
                    checks.add(
                        INVALID,
                        "A criterion key has 1 to 64 characters.",
                        "criteria",
                        str(index),
                        "key",
                    )
                elif key in seen:
                    checks.add(
                        DUPLICATE,
                        f"Criterion {key!r} is listed twice.",
                        "criteria",
                        str(index),
                        "key",
                    )
                seen.add(key)
                if criterion.weight < 0:
                    checks.add(INVALID, "A weight is 0 or more.", "criteria", str(index), "weight")
            checks.raise_if_any()
            assert portfolio is not None
            await tx.session.execute(
                delete(Criterion).where(Criterion.portfolio_id == portfolio.id)
            )
            tx.session.add_all(
                Criterion(
                    organisation_id=portfolio.organisation_id,
                    portfolio_id=portfolio.id,
                    key=canonical_text(c.key),
                    weight=c.weight,
                )
                for c in input.criteria
            )
            await tx.session.flush()
            tx.audit(
                "Portfolio",
                portfolio.id,
                {"criteria": [{"key": c.key.strip(), "weight": c.weight} for c in input.criteria]},
            )
            return portfolio

        return await run_mutation(info, "setPortfolioCriteria", PortfolioPayload, body)

    @tier_mutation(
        KEY,
        description=f"Score a project from 0 to {MAX_SCORE:g} against one of its portfolio's "
        "criteria, replacing an earlier score; answers the project. For ADMIN, OFFICE and "
        "PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. userErrors: NOT_FOUND on "
        "projectId; INVALID on score, on projectId (in no portfolio) or on criterion (not one "
        "of the portfolio's).",
    )
    async def score_project(self, info: Info[Any, Any], input: ScoreProjectInput) -> ProjectPayload:
        context = get_context(info)
        authorize(context, "scoreProject")

        async def body(tx: Transaction) -> Project:
            checks = Checks()
            # A project's scores are written one at a time: the first score of a criterion,
            # set twice at once, is inserted once.
            project = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Project,
                "Project",
                input.project_id,
                "projectId",
                lock=Lock.WRITE,
            )
            if not 0 <= input.score <= MAX_SCORE:
                checks.add(INVALID, f"score must be from 0 to {MAX_SCORE:g}.", "score")
            checks.raise_if_any()
            assert project is not None
            if project.portfolio_id is None:
                checks.add(
                    INVALID,
                    f"{project.code} is in no portfolio, so it has no criteria.",
                    "projectId",
                )
                checks.raise_if_any()
            keys = {
                c.key
                for c in await tx.session.scalars(
                    select(Criterion).where(Criterion.portfolio_id == project.portfolio_id)
                )
            }
            criterion = canonical_text(input.criterion)
            if criterion not in keys:
                known = ", ".join(sorted(keys)) or "none yet"
                checks.add(
                    INVALID,
                    f"{criterion!r} is not a criterion of the project's portfolio ({known}).",
                    "criterion",
                )
                checks.raise_if_any()
            row = await tx.session.scalar(
                select(ProjectScore).where(
                    ProjectScore.project_id == project.id, ProjectScore.criterion == criterion
                )
            )
            before = row.score if row else None
            if row is None:
                tx.session.add(
                    ProjectScore(
                        organisation_id=project.organisation_id,
                        project_id=project.id,
                        criterion=criterion,
                        score=input.score,
                    )
                )
            else:
                row.score = input.score
            await tx.session.flush()
            tx.audit(
                "Project",
                project.id,
                {"score": {"criterion": criterion, "from": before, "to": input.score}},
            )
            return project

        return await run_mutation(info, "scoreProject", ProjectPayload, body)
